package dev.thredo.spring.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.thredo.Kernel;
import dev.thredo.ThreadInfo;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;

/** Shared helpers for the web tests: HTTP against the real port and bounded polling. */
public final class WebTestSupport {
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private WebTestSupport() {
    }

    static HttpResponse<String> get(int port, String path) throws Exception {
        return CLIENT.send(request(port, path), HttpResponse.BodyHandlers.ofString());
    }

    static CompletableFuture<HttpResponse<String>> getAsync(int port, String path) {
        return CLIENT.sendAsync(request(port, path), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpRequest request(int port, String path) {
        return HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .timeout(Duration.ofSeconds(20)).GET().build();
    }

    /** A 503 problem body from the request integration whose {@code detail} is exactly {@code detail}. */
    public static void assertProblem503Detail(HttpResponse<String> response, String detail, String instance) {
        assertProblem503(response, "\"detail\":\"" + detail + "\"", instance);
    }

    /** A 503 problem body from the request integration whose {@code detail} contains {@code detailFragment}. */
    public static void assertProblem503(HttpResponse<String> response, String detailFragment, String instance) {
        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                ct -> assertThat(ct).startsWith("application/problem+json"));
        assertThat(response.body())
                .contains("\"status\":503")
                .contains("\"title\":\"Service Unavailable\"")
                .contains("\"instance\":\"" + instance + "\"")
                .contains(detailFragment);
    }
}
