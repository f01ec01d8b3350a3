package dev.thredo.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import dev.thredo.Kernel;
import dev.thredo.testing.KernelPolling;
import dev.thredo.testing.TestHttp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * Who may do what, over real HTTP, on Boot's default platform request threads
 * ({@link DemoSecurityVirtualThreadsTest}: on virtual ones).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class DemoSecurityTest {

    private static final String CREDENTIALS = TestHttp.basic("admin:thredo");

    @LocalServerPort
    int port;

    @Autowired
    Kernel kernel;

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
    void wrongPasswordIsUnauthorized() throws Exception {
        assertThat(send(get("/actuator/thredo").header("Authorization", TestHttp.basic("admin:nope"))).statusCode())
                .isEqualTo(401);
    }

    @Test
    void listingWorksWithCredentialsAndSetsNoCookie() throws Exception {
        HttpResponse<String> response = send(get("/actuator/thredo").header("Authorization", CREDENTIALS));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("\"kernel\"").contains("\"threads\"");
        // Stateless: no session and no CSRF cookie a browser could carry along.
        assertThat(response.headers().allValues("Set-Cookie")).isEmpty();
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aCrossSiteCancelIsRefusedAndTheOneLineCurlCancelEndsTheRequestWith503() throws Exception {
        CompletableFuture<HttpResponse<String>> slow = http().getAsync("/api/slow?seconds=60");
        try {
            long id = KernelPolling.awaitThread(kernel, t -> t.name().equals("GET /api/slow")).id();

            // What a form on another site makes the operator's browser send, credentials included.
            HttpResponse<String> forged = send(post("/actuator/thredo/" + id + "/cancel")
                    .header("Authorization", CREDENTIALS)
                    .header("Origin", "https://evil.example").header("Sec-Fetch-Site", "cross-site")
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString("action=cancel")));
            assertThat(forged.statusCode()).isEqualTo(403);
            assertThat(forged.headers().firstValue("Content-Type")).hasValueSatisfying(
                    type -> assertThat(type).startsWith("application/problem+json"));
            assertThat(forged.body()).contains("\"status\":403").contains("cross-site-request-refused");
            assertThat(kernel.thread(id)).as("the request after the forged cancel").hasValueSatisfying(
                    t -> assertThat(t.cancelRequestedAt()).isNull());
            assertThat(slow).isNotDone();

            // curl -u admin:thredo -X POST .../cancel: credentials, no cookie, no token.
            HttpResponse<String> cancel = send(post("/actuator/thredo/" + id + "/cancel").header("Authorization", CREDENTIALS));
            assertThat(cancel.statusCode()).as(cancel.body()).isEqualTo(202);
            HttpResponse<String> answer = slow.get(20, TimeUnit.SECONDS);
            assertThat(answer.statusCode()).isEqualTo(503);
            assertThat(answer.body()).contains("The request was cancelled.");
        } finally {
            slow.cancel(true);
        }
    }

    @Test
    void aCancelFromTheConsolesOwnOriginReachesTheEndpoint() throws Exception {
        HttpResponse<String> response = send(post("/actuator/thredo/999999999/cancel")
                .header("Authorization", CREDENTIALS)
                .header("Origin", "http://localhost:" + port).header("Sec-Fetch-Site", "same-origin"));

        // Past security: the endpoint itself answers that there is no such thread.
        assertThat(response.statusCode()).isEqualTo(404);
    }

    @Test
    void aBrowserWithoutSecFetchSiteIsJudgedByItsOrigin() throws Exception {
        HttpResponse<String> own = send(post("/actuator/thredo/999999999/cancel")
                .header("Authorization", CREDENTIALS).header("Origin", "http://localhost:" + port));
        HttpResponse<String> other = send(post("/actuator/thredo/999999999/cancel")
                .header("Authorization", CREDENTIALS).header("Origin", "http://127.0.0.1:" + port));

        assertThat(own.statusCode()).isEqualTo(404);
        assertThat(other.statusCode()).isEqualTo(403);
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
    void jobStartFromAScriptNeedsNothing() throws Exception {
        HttpResponse<String> response = send(post("/api/jobs?steps=1&stepMillis=10"));

        assertThat(response.statusCode()).isEqualTo(202);
    }

    private TestHttp http() {
        return TestHttp.localhost(port);
    }

    private HttpRequest.Builder get(String pathAndQuery) {
        return http().request(pathAndQuery);
    }

    private HttpRequest.Builder post(String pathAndQuery) {
        return http().request(pathAndQuery).POST(HttpRequest.BodyPublishers.noBody());
    }

    private HttpResponse<String> send(HttpRequest.Builder request) {
        return http().send(request);
    }
}
