package dev.thredo.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.thredo.testing.ProblemAssertions;
import dev.thredo.testing.TestHttp;
import java.net.http.HttpResponse;

import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class DemoApplicationTest {

    @LocalServerPort
    int port;

    @Test
    void slowWithZeroSecondsAnswersAtOnce() throws Exception {
        HttpResponse<String> response = TestHttp.localhost(port).get("/api/slow?seconds=0");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("slept");
    }

    @Test
    void slowRejectsNegativeSeconds() throws Exception {
        HttpResponse<String> response = TestHttp.localhost(port).get("/api/slow?seconds=-1");

        ProblemAssertions.assertProblem(response, 400);
    }

    @Test
    void slowRejectsNonNumericSecondsWithAProblemBody() throws Exception {
        HttpResponse<String> response = TestHttp.localhost(port).get("/api/slow?seconds=abc");

        ProblemAssertions.assertProblem(response, 400);
    }
}
