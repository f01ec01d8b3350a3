package dev.thredo.spring.web;

import static dev.thredo.testing.ProblemAssertions.assertProblem503;
import static dev.thredo.testing.KernelPolling.awaitNoThreads;
import static org.assertj.core.api.Assertions.assertThat;

import dev.thredo.Kernel;
import dev.thredo.Outcome;
import dev.thredo.testing.TestHttp;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

@SpringBootTest(classes = WebTestApp.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "thredo.web.request-timeout=2s") // short enough to wait for, long enough for /sum on a loaded machine
@Timeout(30)
class ThredoRequestTimeoutTest {

    @LocalServerPort
    int port;

    @Autowired
    Kernel kernel;

    @Autowired
    WebTestApp.TestController controller;

    @Test
    void aRequestExceedingTheTimeoutAnswers503AndLeavesNoThread() throws Exception {
        HttpResponse<String> response = TestHttp.localhost(port).get("/block");

        assertProblem503(response, "timeout", "/block");
        assertThat(controller.lastMember.get().outcome()).isEqualTo(Outcome.CANCELLED);
        awaitNoThreads(kernel);
    }

    @Test
    void aRequestBlockedInAJdkCallPastTheTimeoutAnswers503AndLeavesNoThread() throws Exception {
        HttpResponse<String> response = TestHttp.localhost(port).get("/block-jdk");

        assertProblem503(response, "timeout", "/block-jdk");
        awaitNoThreads(kernel);
        assertThat(TestHttp.localhost(port).get("/fast").body()).isEqualTo("fast"); // the pooled request thread is fine
    }

    @Test
    void aRequestWithinTheTimeoutIsAnsweredNormally() throws Exception {
        HttpResponse<String> response = TestHttp.localhost(port).get("/sum");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).startsWith("6|");
        awaitNoThreads(kernel);
    }
}
