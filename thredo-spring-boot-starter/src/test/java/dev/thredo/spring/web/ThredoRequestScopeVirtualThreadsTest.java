package dev.thredo.spring.web;

import static dev.thredo.testing.ProblemAssertions.assertProblem503;
import static dev.thredo.testing.KernelPolling.awaitNoThreads;
import static dev.thredo.testing.KernelPolling.awaitThread;
import static org.assertj.core.api.Assertions.assertThat;

import dev.thredo.Kernel;
import dev.thredo.ThreadInfo;
import dev.thredo.testing.TestHttp;
import java.net.http.HttpResponse;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/** The request scope when Tomcat runs requests on virtual threads ({@code spring.threads.virtual.enabled}). */
@SpringBootTest(classes = WebTestApp.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "spring.threads.virtual.enabled=true")
@Timeout(30)
class ThredoRequestScopeVirtualThreadsTest {

    @LocalServerPort
    int port;

    @Autowired
    Kernel kernel;

    @Test
    void adoptsVirtualRequestThreads() throws Exception {
        HttpResponse<String> response = TestHttp.localhost(port).get("/sum");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("6|GET /sum|GET /sum|true");

        CompletableFuture<HttpResponse<String>> pending = TestHttp.localhost(port).getAsync("/block");
        ThreadInfo request = awaitThread(kernel, t -> t.name().equals("GET /block"));
        assertThat(request.virtual()).isTrue();
        assertThat(kernel.cancel(request.id())).isTrue();
        assertProblem503(pending.get(20, TimeUnit.SECONDS), "cancelled", "/block");
        awaitNoThreads(kernel);
    }
}
