package dev.thredo.demo.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.time.Duration;

import dev.thredo.Kernel;
import dev.thredo.Thredo;
import dev.thredo.ThredoThread;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * An application with the starter and Boot's default security, nothing but
 * {@code spring.security.user.*} set (demo-app's {@code application.properties} sets them; none of
 * the demo's own beans are here). Spring Security's CSRF check refuses the one-line curl cancel, as
 * it should under that configuration; the starter makes the answer say so, a 403 problem instead of
 * the 401 Basic challenge Spring Security's default handling ends in, and nothing is cancelled.
 * Everything else stays as Boot's security answers it. On Boot's default platform request threads
 * ({@link BootDefaultSecurityVirtualThreadsTest}: virtual ones).
 */
@SpringBootTest(classes = BootDefaultSecurityTest.App.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "spring.autoconfigure.exclude=org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration")
class BootDefaultSecurityTest {

    /** The application: auto-configuration only. */
    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class App {
    }

    private static final String ADMIN = "admin:thredo";
    private static final String CSRF_TYPE = "README.md#csrf-token-required";

    @LocalServerPort
    int port;

    @Autowired
    Kernel kernel;

    SecurityHttp http;
    ThredoThread<Void> target;

    @BeforeEach
    void startTarget() {
        http = new SecurityHttp(port);
        target = kernel.spawn("csrf target", () -> Thredo.sleep(Duration.ofHours(1)));
    }

    @AfterEach
    void stopTarget() {
        target.cancel();
    }

    @Test
    void theOneLineCurlCancelGetsA403ProblemThatSaysCsrfAndCancelsNothing() throws Exception {
        HttpResponse<String> response = http.send("POST", "/actuator/thredo/" + target.id() + "/cancel", ADMIN);

        assertThat(response.statusCode()).as(response.body()).isEqualTo(403);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/problem+json"));
        assertThat(response.headers().firstValue("WWW-Authenticate")).isEmpty();
        assertThat(response.body()).contains(CSRF_TYPE).contains("\"status\":403").contains("CSRF token");
        assertThat(target.isCancelled()).isFalse();
    }

    @Test
    void aCancelWithoutCredentialsIsStillChallenged() throws Exception {
        HttpResponse<String> response = http.send("POST", "/actuator/thredo/" + target.id() + "/cancel", null);

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(
                h -> assertThat(h).startsWith("Basic"));
        assertThat(response.body()).doesNotContain(CSRF_TYPE);
        assertThat(target.isCancelled()).isFalse();
    }

    @Test
    void aCsrfDenialOutsideTheEndpointIsLeftAsSpringSecurityAnswersIt() throws Exception {
        HttpResponse<String> response = http.send("POST", "/actuator/health", ADMIN);

        assertThat(response.statusCode()).isIn(401, 403);
        assertThat(response.body()).doesNotContain(CSRF_TYPE);
    }

    @Test
    void readingNeedsNoToken() throws Exception {
        assertThat(http.send("GET", "/actuator/thredo/" + target.id(), ADMIN).statusCode()).isEqualTo(200);
        assertThat(http.send("GET", "/actuator/thredo", null).statusCode()).isEqualTo(401);
    }
}
