package dev.thredo.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.thredo.testing.HttpPolling;
import dev.thredo.testing.Json;
import dev.thredo.testing.ProblemAssertions;
import dev.thredo.testing.TestHttp;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import dev.thredo.Kernel;
import dev.thredo.ThreadQuery;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.TestPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/** The demo's thredo features, over real HTTP. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "demo.fares.deadline=1s",
        "demo.fares.providers.aerolink.latency=50ms", "demo.fares.providers.aerolink.jitter=0ms",
        "demo.fares.providers.skyhop.latency=100ms", "demo.fares.providers.skyhop.jitter=0ms",
        "demo.fares.providers.budgetair.latency=50ms", "demo.fares.providers.budgetair.jitter=0ms",
        "demo.fares.providers.budgetair.failure-rate=1.0",
        "demo.fares.providers.jetset.latency=150ms", "demo.fares.providers.jetset.jitter=0ms",
        "demo.fares.providers.slowfly.latency=30s",
        "demo.mirror.delays=3s,200ms,2s"})
class DemoFeaturesTest {

    private static final String CREDENTIALS = TestHttp.basic("admin:thredo");

    @LocalServerPort
    int port;

    @Autowired
    ObjectMapper json;

    @Autowired
    Kernel kernel;

    @Test
    void fanOutReturnsWhatArrivedBeforeTheDeadline() throws Exception {
        long start = System.nanoTime();
        HttpResponse<String> response = http().get("/api/fares?from=zrh&to=LIS");
        long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode body = json.readTree(response.body());
        assertThat(body.get("from").asString()).isEqualTo("ZRH");
        assertThat(Json.texts(body.get("answered"))).containsExactlyInAnyOrder("aerolink", "skyhop", "jetset");
        assertThat(Json.texts(body.get("timedOut"))).containsExactly("slowfly");
        assertThat(body.get("failed")).hasSize(1);
        assertThat(body.get("failed").get(0).get("provider").asString()).isEqualTo("budgetair");
        assertThat(body.get("fares").size()).isGreaterThanOrEqualTo(3);
        for (JsonNode fare : body.get("fares")) {
            assertThat(fare.get("provider").asString()).isIn("aerolink", "skyhop", "jetset");
        }
        // The deadline (1s) ended the search, not the 30s provider, and that provider's thread is gone.
        assertThat(elapsedMillis).isLessThan(10_000);
        assertThat(kernel.threads()).noneMatch(t -> t.name().startsWith("provider "));
    }

    @Test
    void fanOutRejectsBadAirportCodes() throws Exception {
        HttpResponse<String> response = http().get("/api/fares?from=Z&to=LIS");

        ProblemAssertions.assertProblem(response, 400);
    }

    @Test
    void mirrorRaceReturnsTheFastestAndCancelsTheOthersMidRequest() throws Exception {
        HttpResponse<String> response = http().get("/api/mirror");

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode body = json.readTree(response.body());
        assertThat(body.get("winner").asInt()).isEqualTo(2);
        assertThat(body.get("response").get("mirror").asInt()).isEqualTo(2);
        // Mirrors 1 and 3 would have answered after 3s and 2s: they were cancelled while waiting.
        List<Integer> cancelled = new ArrayList<>();
        body.get("cancelled").forEach(n -> cancelled.add(n.asInt()));
        assertThat(cancelled).containsExactlyInAnyOrder(1, 3);
        assertThat(body.get("elapsedMillis").asLong()).isLessThan(2_900);
        assertThat(kernel.threads()).noneMatch(t -> t.name().startsWith("mirror "));
        // The losers' own handlers (this server's /api/mirrors/1 and /3) do not notice that their
        // client hung up and would sleep on for seconds: cancel them, as an operator would, so that
        // nothing this test started outlives it.
        kernel.threads(ThreadQuery.all().withNameContaining("/api/mirrors/")).forEach(t -> kernel.cancel(t.id()));
    }

    @Test
    void unknownMirrorIsNotFound() throws Exception {
        assertThat(http().get("/api/mirrors/9").statusCode()).isEqualTo(404);
    }

    @Test
    void jobRunsUntilAnOperatorCancelsItOverTheActuator() throws Exception {
        HttpResponse<String> started = http().post("/api/jobs?steps=600&stepMillis=100");
        assertThat(started.statusCode()).isEqualTo(202);
        JsonNode job = json.readTree(started.body());
        long jobId = job.get("id").asLong();
        long threadId = job.get("threadId").asLong();
        assertThat(started.headers().firstValue("Location")).hasValue("/api/jobs/" + jobId);
        assertThat(job.get("name").asString()).isEqualTo("job-" + jobId);

        // The actuator lists the job's thread under its name.
        HttpResponse<String> listing = operator().get("/actuator/thredo?name=job-" + jobId);
        assertThat(listing.statusCode()).isEqualTo(200);
        List<Long> ids = new ArrayList<>();
        json.readTree(listing.body()).get("threads").forEach(t -> ids.add(t.get("id").asLong()));
        assertThat(ids).contains(threadId);

        // It makes progress ...
        JsonNode progress = HttpPolling.awaitJson(http(), "/api/jobs/" + jobId, j -> j.get("step").asInt() >= 1);
        assertThat(progress.get("status").asString()).isEqualTo("RUNNING");

        // ... until an operator cancels it (credentials alone, as curl -u sends them).
        HttpResponse<String> cancel = operator().post("/actuator/thredo/" + threadId + "/cancel");
        assertThat(cancel.statusCode()).as(cancel.body()).isEqualTo(202);

        JsonNode ended = HttpPolling.awaitJson(http(), "/api/jobs/" + jobId,
                j -> j.get("status").asString().equals("CANCELLED"));
        assertThat(ended.get("step").asInt()).isLessThan(600);
        assertThat(ended.get("endedAt").isNull()).isFalse();
    }

    @Test
    void slowRequestCancelledOverTheActuatorAnswers503ProblemJson() throws Exception {
        CompletableFuture<HttpResponse<String>> slow = http().getAsync("/api/slow?seconds=60");

        long threadId = HttpPolling.awaitListed(operator(), "GET /api/slow", Set.of()).get("id").asLong();
        HttpResponse<String> cancel = operator().post("/actuator/thredo/" + threadId + "/cancel");
        assertThat(cancel.statusCode()).as(cancel.body()).isEqualTo(202);

        HttpResponse<String> response = slow.get(20, TimeUnit.SECONDS);
        ProblemAssertions.assertProblem(response, 503);
    }

    /**
     * The fan-out search with the thredo request integration off (thredo-bench's HTTP baseline): the
     * same answer, on plain virtual threads, the late provider interrupted at the deadline. Same
     * provider settings as above, in a context of its own.
     */
    @Nested
    @TestPropertySource(properties = {"thredo.web.enabled=false", "spring.threads.virtual.enabled=true"})
    class PlainVirtualThreads {

        @LocalServerPort
        int plainPort;

        @Test
        @Timeout(30)
        void fanOutReturnsWhatArrivedBeforeTheDeadline() throws Exception {
            long start = System.nanoTime();
            HttpResponse<String> response = TestHttp.localhost(plainPort).get("/api/fares?from=zrh&to=LIS");
            long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

            assertThat(response.statusCode()).isEqualTo(200);
            JsonNode body = json.readTree(response.body());
            assertThat(Json.texts(body.get("answered"))).containsExactlyInAnyOrder("aerolink", "skyhop", "jetset");
            assertThat(Json.texts(body.get("timedOut"))).containsExactly("slowfly");
            assertThat(body.get("failed")).hasSize(1);
            assertThat(body.get("failed").get(0).get("provider").asString()).isEqualTo("budgetair");
            // The deadline (1s) ended the search: the 30s provider was interrupted, not waited for.
            assertThat(elapsedMillis).isLessThan(10_000);
        }
    }

    private TestHttp http() {
        return TestHttp.localhost(port);
    }

    /** As the operator: Basic credentials alone, as {@code curl -u} sends them. */
    private TestHttp operator() {
        return http().authorized(CREDENTIALS);
    }
}
