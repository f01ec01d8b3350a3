package dev.thredo.demo.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;

import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;

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
class BootDefaultSecurityTest extends SecurityTestSupport {

    /** The application: auto-configuration only. */
    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class App {
    }

    private static final String ADMIN = "admin:thredo";
    private static final String CSRF_TYPE = "README.md#csrf-token-required";

    @Test
    void theOneLineCurlCancelGetsA403ProblemThatSaysCsrfAndCancelsNothing() throws Exception {
        HttpResponse<String> response = send("POST", cancelPath(), ADMIN);

        assertThat(response.statusCode()).as(response.body()).isEqualTo(403);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/problem+json"));
        assertThat(response.headers().firstValue("WWW-Authenticate")).isEmpty();
        assertThat(response.body()).contains(CSRF_TYPE).contains("\"status\":403").contains("CSRF token");
        assertThat(target.isCancelled()).isFalse();
    }

    @Test
    void aCancelWithoutCredentialsIsStillChallenged() throws Exception {
        HttpResponse<String> response = send("POST", cancelPath(), null);

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(
                h -> assertThat(h).startsWith("Basic"));
        assertThat(response.body()).doesNotContain(CSRF_TYPE);
        assertThat(target.isCancelled()).isFalse();
    }

    @Test
    void aCsrfDenialOutsideTheEndpointIsLeftAsSpringSecurityAnswersIt() throws Exception {
        HttpResponse<String> response = send("POST", "/actuator/health", ADMIN);

        assertThat(response.statusCode()).isIn(401, 403);
        assertThat(response.body()).doesNotContain(CSRF_TYPE);
    }

    @Test
    void readingNeedsNoToken() throws Exception {
        assertThat(send("GET", "/actuator/thredo/" + target.id(), ADMIN).statusCode()).isEqualTo(200);
        assertThat(send("GET", "/actuator/thredo", null).statusCode()).isEqualTo(401);
    }
}
