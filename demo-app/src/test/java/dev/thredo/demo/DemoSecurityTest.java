package dev.thredo.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;

import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/** Who may do what, over real HTTP. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class DemoSecurityTest {

    private static final String CREDENTIALS = basic("admin", "thredo");

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @LocalServerPort
    int port;

    @Test
    void anonymousListingIsChallengedWithBasicAndAProblemBody() throws Exception {
        HttpResponse<String> response = send(get("/actuator/thredo"));

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(
                h -> assertThat(h).startsWith("Basic"));
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/problem+json"));
        assertThat(response.body()).contains("\"status\":401");
    }

    @Test
    void anonymousCancelIsUnauthorized() throws Exception {
        HttpResponse<String> response = send(post("/actuator/thredo/1/cancel"));

        assertThat(response.statusCode()).isEqualTo(401);
    }

    @Test
    void anonymousCancelWithACsrfTokenIsStillUnauthorized() throws Exception {
        HttpResponse<String> listing = send(get("/actuator/thredo").header("Authorization", CREDENTIALS));
        String xsrf = DemoFeaturesTest.xsrfToken(listing);

        HttpResponse<String> response = send(post("/actuator/thredo/1/cancel")
                .header("X-XSRF-TOKEN", xsrf).header("Cookie", "XSRF-TOKEN=" + xsrf));

        assertThat(response.statusCode()).isEqualTo(401);
    }

    @Test
    void wrongPasswordIsUnauthorized() throws Exception {
        assertThat(send(get("/actuator/thredo").header("Authorization", basic("admin", "nope"))).statusCode())
                .isEqualTo(401);
    }

    @Test
    void listingWorksWithCredentialsAndIssuesTheCsrfCookie() throws Exception {
        HttpResponse<String> response = send(get("/actuator/thredo").header("Authorization", CREDENTIALS));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("\"kernel\"").contains("\"threads\"");
        String cookie = response.headers().allValues("Set-Cookie").stream()
                .filter(c -> c.startsWith("XSRF-TOKEN=")).findFirst().orElseThrow();
        // Readable by the console's JavaScript.
        assertThat(cookie.toLowerCase()).doesNotContain("httponly");
    }

    @Test
    void cancelWithCredentialsButWithoutTheCsrfTokenIsForbidden() throws Exception {
        HttpResponse<String> response = send(post("/actuator/thredo/1/cancel").header("Authorization", CREDENTIALS));

        assertThat(response.statusCode()).isEqualTo(403);
        assertThat(response.body()).contains("CSRF");
    }

    @Test
    void cancelWithCredentialsAndTheCsrfTokenReachesTheEndpoint() throws Exception {
        HttpResponse<String> listing = send(get("/actuator/thredo").header("Authorization", CREDENTIALS));
        String xsrf = DemoFeaturesTest.xsrfToken(listing);

        HttpResponse<String> response = send(post("/actuator/thredo/999999999/cancel")
                .header("Authorization", CREDENTIALS)
                .header("X-XSRF-TOKEN", xsrf).header("Cookie", "XSRF-TOKEN=" + xsrf));

        // Past security: the endpoint itself answers that there is no such thread.
        assertThat(response.statusCode()).isEqualTo(404);
    }

    @Test
    void healthIsOpen() throws Exception {
        HttpResponse<String> response = send(get("/actuator/health"));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("UP");
    }

    @Test
    void otherActuatorPathsAndTheConsoleNeedCredentials() throws Exception {
        for (String path : new String[] {"/actuator", "/actuator/metrics", "/actuator/prometheus", "/actuator/info",
                "/thredo", "/thredo/index.html"}) {
            assertThat(send(get(path)).statusCode()).as(path).isEqualTo(401);
        }
    }

    @Test
    void prometheusWithCredentialsCarriesTheThredoSeries() throws Exception {
        HttpResponse<String> response = send(get("/actuator/prometheus").header("Authorization", CREDENTIALS));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("thredo_threads_live").contains("thredo_threads_started");
    }

    @Test
    void apiIsOpen() throws Exception {
        assertThat(send(get("/api/slow?seconds=0")).statusCode()).isEqualTo(200);
        assertThat(send(get("/api/jobs")).statusCode()).isEqualTo(200);
    }

    @Test
    void jobStartNeedsNoCsrfToken() throws Exception {
        HttpResponse<String> response = send(post("/api/jobs?steps=1&stepMillis=10"));

        assertThat(response.statusCode()).isEqualTo(202);
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    private URI uri(String pathAndQuery) {
        return URI.create("http://localhost:" + port + pathAndQuery);
    }

    private HttpRequest.Builder get(String pathAndQuery) {
        return HttpRequest.newBuilder(uri(pathAndQuery)).timeout(Duration.ofSeconds(20)).GET();
    }

    private HttpRequest.Builder post(String pathAndQuery) {
        return HttpRequest.newBuilder(uri(pathAndQuery)).timeout(Duration.ofSeconds(20))
                .POST(HttpRequest.BodyPublishers.noBody());
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
