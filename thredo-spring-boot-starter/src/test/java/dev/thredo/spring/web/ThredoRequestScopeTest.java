package dev.thredo.spring.web;

import static dev.thredo.testing.ProblemAssertions.assertProblem503;
import static dev.thredo.testing.KernelPolling.awaitNoThreads;
import static dev.thredo.testing.KernelPolling.awaitThread;
import static org.assertj.core.api.Assertions.assertThat;

import dev.thredo.Kernel;
import dev.thredo.Outcome;
import dev.thredo.ThreadInfo;
import dev.thredo.ThredoThread;
import dev.thredo.testing.TestHttp;
import java.net.http.HttpResponse;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

@SpringBootTest(classes = WebTestApp.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@Timeout(30)
class ThredoRequestScopeTest {

    @LocalServerPort
    int port;

    @Autowired
    Kernel kernel;

    @Autowired
    WebTestApp.TestController controller;

    @BeforeEach
    void reset() {
        controller.lastMember.set(null);
        controller.memberStarted = new CountDownLatch(1);
    }

    @Test
    void handlerSpawnsMembersIntoItsRequestGroup() throws Exception {
        HttpResponse<String> response = TestHttp.localhost(port).get("/sum");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("6|GET /sum|GET /sum|true");
        awaitNoThreads(kernel);
    }

    @Test
    void membersStillRunningWhenTheHandlerReturnsAreCancelled() throws Exception {
        HttpResponse<String> response = TestHttp.localhost(port).get("/leave");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("left");
        ThredoThread<?> member = controller.lastMember.get();
        assertThat(member).isNotNull();
        member.await();
        assertThat(member.outcome()).isEqualTo(Outcome.CANCELLED);
        awaitNoThreads(kernel);
    }

    @Test
    void theRequestThreadIsListedAndCancellingItAnswers503() throws Exception {
        CompletableFuture<HttpResponse<String>> pending = TestHttp.localhost(port).getAsync("/block");

        ThreadInfo request = awaitThread(kernel, t -> t.name().equals("GET /block"));
        assertThat(controller.memberStarted.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(kernel.threads()).extracting(ThreadInfo::name).contains("GET /block", "blocker");
        assertThat(kernel.cancel(request.id())).isTrue();

        HttpResponse<String> response = pending.get(20, TimeUnit.SECONDS);
        assertProblem503(response, "cancelled", "/block");
        assertThat(controller.lastMember.get().outcome()).isEqualTo(Outcome.CANCELLED);
        awaitNoThreads(kernel);
    }

    @Test
    void cancellingAHandlerBlockedInAJdkCallAnswers503() throws Exception {
        CompletableFuture<HttpResponse<String>> pending = TestHttp.localhost(port).getAsync("/block-jdk");

        ThreadInfo request = awaitThread(kernel, t -> t.name().equals("GET /block-jdk"));
        assertThat(kernel.cancel(request.id())).isTrue();

        assertProblem503(pending.get(20, TimeUnit.SECONDS), "cancelled", "/block-jdk");
        awaitNoThreads(kernel);
        // The pooled request thread went back without its interrupt flag: the next request works.
        assertThat(TestHttp.localhost(port).get("/fast").body()).isEqualTo("fast");
    }

    @Test
    void ordinaryFailuresAreNotTurnedInto503() throws Exception {
        HttpResponse<String> response = TestHttp.localhost(port).get("/fail");

        assertThat(response.statusCode()).isEqualTo(500);
        awaitNoThreads(kernel);
    }
}
