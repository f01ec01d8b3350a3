package dev.thredo.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * The fan-out search with the thredo request integration off (thredo-bench's HTTP baseline): the
 * same answer, on plain virtual threads, the late provider interrupted at the deadline.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "thredo.web.enabled=false", "spring.threads.virtual.enabled=true",
        "demo.fares.deadline=1s",
        "demo.fares.providers.aerolink.latency=50ms", "demo.fares.providers.aerolink.jitter=0ms",
        "demo.fares.providers.skyhop.latency=100ms", "demo.fares.providers.skyhop.jitter=0ms",
        "demo.fares.providers.budgetair.latency=50ms", "demo.fares.providers.budgetair.jitter=0ms",
        "demo.fares.providers.budgetair.failure-rate=1.0",
        "demo.fares.providers.jetset.latency=150ms", "demo.fares.providers.jetset.jitter=0ms",
        "demo.fares.providers.slowfly.latency=30s"})
class PlainFanOutTest {

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @LocalServerPort
    int port;

    @Autowired
    ObjectMapper json;

    @Test
    @Timeout(30)
    void fanOutOnPlainVirtualThreadsReturnsWhatArrivedBeforeTheDeadline() throws Exception {
        long start = System.nanoTime();
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                URI.create("http://localhost:" + port + "/api/fares?from=zrh&to=LIS")).timeout(Duration.ofSeconds(20))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode body = json.readTree(response.body());
        assertThat(texts(body.get("answered"))).containsExactlyInAnyOrder("aerolink", "skyhop", "jetset");
        assertThat(texts(body.get("timedOut"))).containsExactly("slowfly");
        assertThat(body.get("failed")).hasSize(1);
        assertThat(body.get("failed").get(0).get("provider").asString()).isEqualTo("budgetair");
        // The deadline (1s) ended the search: the 30s provider was interrupted, not waited for.
        assertThat(elapsedMillis).isLessThan(10_000);
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asString()));
        return out;
    }
}
