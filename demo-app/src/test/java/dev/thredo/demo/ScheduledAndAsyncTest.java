package dev.thredo.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.thredo.testing.LogCapture;
import dev.thredo.testing.Polling;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import dev.thredo.KernelListener;
import dev.thredo.Outcome;
import dev.thredo.ThredoThread;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The demo's {@code @Scheduled} report refresh and its {@code @Async} report generation, as an operator
 * sees them, over real HTTP on Tomcat's platform threads and on virtual threads
 * ({@code spring.threads.virtual.enabled}, which also picks Boot's executor and scheduler): each run is
 * listed by {@code GET /actuator/thredo} under its method's name, is cancelled by
 * {@code POST /actuator/thredo/{id}/cancel} (as the console does it), ends {@code CANCELLED} within
 * 1 s, is logged once at INFO and nothing at WARN or ERROR; the refresh runs again on schedule.
 *
 * <p>Each case runs the demo in a context of its own, with the refresh on, every 200 ms, each run
 * taking 30 s, and closes it, so no schedule outlives the test.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ScheduledAndAsyncTest {

    private static final String CREDENTIALS = "Basic "
            + Base64.getEncoder().encodeToString("admin:thredo".getBytes(StandardCharsets.UTF_8));
    private static final String REFRESH = "@Scheduled ReportRefreshJob.refresh";
    /** The logger of the starter's task integration: one INFO line per cancelled task. */
    private static final String TASK_LOGGER = "dev.thredo.spring.task";
    /** Generous: catches a cancel that does not end the task (which would run 30 s), not a slow machine. */
    private static final long CANCEL_BOUND_MS = 5_000;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final JsonMapper json = JsonMapper.builder().build();

    @ParameterizedTest(name = "virtual threads: {0}")
    @ValueSource(booleans = {false, true})
    void scheduledRefreshAndAsyncReportAreListedAndCancelledLikeAnyThread(boolean virtual) throws Exception {
        ConfigurableApplicationContext context = new SpringApplicationBuilder(DemoApplication.class, Outcomes.class)
                .run("--server.port=0", "--spring.threads.virtual.enabled=" + virtual,
                        "--demo.reports.refresh.enabled=true", "--demo.reports.refresh.initial-delay=0s",
                        "--demo.reports.refresh.every=200ms", "--demo.reports.refresh.takes=30s");
        LogCapture log = LogCapture.attach();
        try {
            int port = ((WebServerApplicationContext) context).getWebServer().getPort();
            Outcomes outcomes = context.getBean(Outcomes.class);

            // The scheduled refresh: listed, cancelled as the console does it, and run again.
            JsonNode run = awaitListed(port, REFRESH, Set.of());
            long runId = run.get("id").asLong();
            assertThat(run.get("virtual").asBoolean()).isEqualTo(virtual);
            long t0 = System.nanoTime();
            assertThat(cancel(port, runId).statusCode()).isEqualTo(202);
            Outcome runOutcome = outcomes.await(runId);
            long runMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertThat(runOutcome).isEqualTo(Outcome.CANCELLED);
            assertThat(runMs).isLessThan(CANCEL_BOUND_MS);
            JsonNode next = awaitListed(port, REFRESH, Set.of(runId));
            assertThat(next.get("id").asLong()).as("the next run").isGreaterThan(runId);

            // The async report: 202 naming its task, listed under that name, cancelled, reported CANCELLED.
            HttpResponse<String> started = send(HttpRequest.newBuilder(uri(port, "/api/reports?seconds=30"))
                    .POST(HttpRequest.BodyPublishers.noBody()));
            assertThat(started.statusCode()).as(started.body()).isEqualTo(202);
            JsonNode report = json.readTree(started.body());
            long reportId = report.get("id").asLong();
            assertThat(report.get("task").asString()).isEqualTo("@Async ReportGenerator.generate");
            assertThat(started.headers().firstValue("Location")).hasValue("/api/reports/" + reportId);
            JsonNode running = pollReport(port, reportId, r -> r.get("status").asString().equals("RUNNING"));
            long threadId = running.get("threadId").asLong();
            JsonNode listed = awaitListed(port, "@Async ReportGenerator.generate", Set.of());
            assertThat(listed.get("id").asLong()).isEqualTo(threadId);
            assertThat(listed.get("virtual").asBoolean()).isEqualTo(virtual);
            t0 = System.nanoTime();
            assertThat(cancel(port, threadId).statusCode()).isEqualTo(202);
            Outcome reportOutcome = outcomes.await(threadId);
            long reportMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertThat(reportOutcome).isEqualTo(Outcome.CANCELLED);
            assertThat(reportMs).isLessThan(CANCEL_BOUND_MS);
            assertThat(pollReport(port, reportId, r -> !r.get("status").asString().equals("RUNNING"))
                    .get("status").asString()).isEqualTo("CANCELLED");
            System.out.printf("[demo tasks] %s threads: POST cancel to CANCELLED: scheduled run %d ms, async report %d ms"
                    + " (the kernel's cancel latency: %.1f ms, %.1f ms)%n", virtual ? "virtual" : "platform", runMs,
                    reportMs, outcomes.latencyMs(runId), outcomes.latencyMs(threadId));

            // Each INFO line is written as its task's adoption closes, just after the kernel counted the end.
            Polling.until("an INFO line for each cancelled task", () -> log.infos(TASK_LOGGER).stream()
                    .filter(l -> l.contains("(thredo thread #" + runId + ")") || l.contains("(thredo thread #" + threadId + ")"))
                    .count() >= 2);
            assertThat(log.infos(TASK_LOGGER).stream().filter(l -> l.contains("(thredo thread #" + runId + ")")))
                    .as("the cancelled run, logged once at INFO, naming what the JDK sleep threw (not Spring's wrapper)")
                    .singleElement().asString().contains("ending with InterruptedException");
            assertThat(log.infos(TASK_LOGGER).stream().filter(l -> l.contains("(thredo thread #" + threadId + ")")))
                    .as("the cancelled report, logged once at INFO").hasSize(1);
            context.close(); // the runs still going (the next refresh) are cancelled
            assertThat(log.warnings()).as("logged at WARN or ERROR, from the start of the test to the close").isEmpty();
        } finally {
            log.detach();
            context.close();
        }
    }

    private JsonNode awaitListed(int port, String name, Set<Long> not) throws Exception {
        String filter = name.substring(name.indexOf(' ') + 1);
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < until) {
            HttpResponse<String> listing = send(HttpRequest.newBuilder(uri(port, "/actuator/thredo?name=" + filter))
                    .header("Authorization", CREDENTIALS));
            assertThat(listing.statusCode()).as(listing.body()).isEqualTo(200);
            for (JsonNode t : json.readTree(listing.body()).get("threads")) {
                if (t.get("name").asString().equals(name) && !not.contains(t.get("id").asLong())) {
                    return t;
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no thread named " + name + " (other than " + not + ") listed within 10 s");
    }

    /** {@code POST /actuator/thredo/{id}/cancel} with the operator's credentials, as {@code curl -u} sends it. */
    private HttpResponse<String> cancel(int port, long id) throws Exception {
        return send(HttpRequest.newBuilder(uri(port, "/actuator/thredo/" + id + "/cancel"))
                .header("Authorization", CREDENTIALS)
                .POST(HttpRequest.BodyPublishers.noBody()));
    }

    private JsonNode pollReport(int port, long id, Predicate<JsonNode> done) throws Exception {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        JsonNode report = null;
        while (System.nanoTime() < until) {
            HttpResponse<String> response = send(HttpRequest.newBuilder(uri(port, "/api/reports/" + id)));
            assertThat(response.statusCode()).isEqualTo(200);
            report = json.readTree(response.body());
            if (done.test(report)) {
                return report;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("report " + id + " never got there; last: " + report);
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return http.send(request.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static URI uri(int port, String path) {
        return URI.create("http://localhost:" + port + path);
    }

    /** The kernel's word on how each thread ended, by id. */
    static class Outcomes implements KernelListener {
        private final Map<Long, Outcome> ended = new ConcurrentHashMap<>();
        private final Map<Long, Duration> latencies = new ConcurrentHashMap<>();

        /** From the thread's cancellation request to its end, as the kernel measured it. */
        double latencyMs(long id) {
            return latencies.get(id).toNanos() / 1e6;
        }

        @Override
        public void threadEnded(ThredoThread<?> thread, Outcome outcome, Duration cancelLatency) {
            ended.put(thread.id(), outcome);
            if (cancelLatency != null) {
                latencies.put(thread.id(), cancelLatency);
            }
        }

        Outcome await(long id) throws InterruptedException {
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!ended.containsKey(id) && System.nanoTime() < until) {
                Thread.sleep(1);
            }
            Outcome outcome = ended.get(id);
            assertThat(outcome).as("thread #" + id + " ended within 10 s").isNotNull();
            return outcome;
        }
    }
}
