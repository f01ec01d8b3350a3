package dev.thredo.spring.web;

import static dev.thredo.spring.web.WebTestSupport.assertProblem503;
import static dev.thredo.spring.KernelPolling.awaitNoThreads;
import static dev.thredo.spring.web.WebTestSupport.get;
import static org.assertj.core.api.Assertions.assertThat;

import dev.thredo.Kernel;
import dev.thredo.Outcome;
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
        HttpResponse<String> response = get(port, "/block");

        assertProblem503(response, "timeout", "/block");
        assertThat(controller.lastMember.get().outcome()).isEqualTo(Outcome.CANCELLED);
        awaitNoThreads(kernel);
    }

    @Test
    void aRequestBlockedInAJdkCallPastTheTimeoutAnswers503AndLeavesNoThread() throws Exception {
        HttpResponse<String> response = get(port, "/block-jdk");

        assertProblem503(response, "timeout", "/block-jdk");
        awaitNoThreads(kernel);
        assertThat(get(port, "/fast").body()).isEqualTo("fast"); // the pooled request thread is fine
    }

    @Test
    void aRequestWithinTheTimeoutIsAnsweredNormally() throws Exception {
        HttpResponse<String> response = get(port, "/sum");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).startsWith("6|");
        awaitNoThreads(kernel);
    }
}
