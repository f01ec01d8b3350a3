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
final class WebTestSupport {
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

    /** Polls the kernel (bounded) until a live thread matches. */
    static ThreadInfo awaitThread(Kernel kernel, Predicate<ThreadInfo> match) throws InterruptedException {
        long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < end) {
            Optional<ThreadInfo> found = kernel.threads().stream().filter(match).findFirst();
            if (found.isPresent()) {
                return found.get();
            }
            Thread.onSpinWait();
            Thread.sleep(5);
        }
        throw new AssertionError("no live thread matched within 10s; live: " + kernel.threads());
    }

    /** Polls the kernel (bounded) until it lists no live thread. */
    static void awaitNoThreads(Kernel kernel) throws InterruptedException {
        long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        List<ThreadInfo> live = kernel.threads();
        while (!live.isEmpty() && System.nanoTime() < end) {
            Thread.sleep(5);
            live = kernel.threads();
        }
        assertThat(live).as("live thredo threads").isEmpty();
    }

    static void assertProblem503(HttpResponse<String> response, String detailFragment, String instance) {
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
