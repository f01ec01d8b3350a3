package dev.thredo.demo;

import static dev.thredo.testing.Elapsed.millisSince;
import static org.assertj.core.api.Assertions.assertThat;

import dev.thredo.testing.HttpPolling;
import dev.thredo.testing.Json;
import dev.thredo.testing.LogCapture;
import dev.thredo.testing.Polling;
import dev.thredo.testing.TestHttp;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

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

    private static final String CREDENTIALS = TestHttp.basic("admin:thredo");
    private static final String REFRESH = "@Scheduled ReportRefreshJob.refresh";
    /** The logger of the starter's task integration: one INFO line per cancelled task. */
    private static final String TASK_LOGGER = "dev.thredo.spring.task";
    /** Generous: catches a cancel that does not end the task (which would run 30 s), not a slow machine. */
    private static final long CANCEL_BOUND_MS = 5_000;

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
            TestHttp http = TestHttp.localhost(port);
            TestHttp operator = http.authorized(CREDENTIALS);
            Outcomes outcomes = context.getBean(Outcomes.class);

            // The scheduled refresh: listed, cancelled as the console does it, and run again.
            JsonNode run = HttpPolling.awaitListed(operator, REFRESH, Set.of());
            long runId = run.get("id").asLong();
            assertThat(run.get("virtual").asBoolean()).isEqualTo(virtual);
            long t0 = System.nanoTime();
            assertThat(operator.post("/actuator/thredo/" + runId + "/cancel").statusCode()).isEqualTo(202);
            Outcome runOutcome = outcomes.await(runId);
            long runMs = millisSince(t0);
            assertThat(runOutcome).isEqualTo(Outcome.CANCELLED);
            assertThat(runMs).isLessThan(CANCEL_BOUND_MS);
            JsonNode next = HttpPolling.awaitListed(operator, REFRESH, Set.of(runId));
            assertThat(next.get("id").asLong()).as("the next run").isGreaterThan(runId);

            // The async report: 202 naming its task, listed under that name, cancelled, reported CANCELLED.
            HttpResponse<String> started = http.post("/api/reports?seconds=30");
            assertThat(started.statusCode()).as(started.body()).isEqualTo(202);
            JsonNode report = Json.of(started);
            long reportId = report.get("id").asLong();
            assertThat(report.get("task").asString()).isEqualTo("@Async ReportGenerator.generate");
            assertThat(started.headers().firstValue("Location")).hasValue("/api/reports/" + reportId);
            JsonNode running = HttpPolling.awaitJson(http, "/api/reports/" + reportId,
                    r -> r.get("status").asString().equals("RUNNING"));
            long threadId = running.get("threadId").asLong();
            JsonNode listed = HttpPolling.awaitListed(operator, "@Async ReportGenerator.generate", Set.of());
            assertThat(listed.get("id").asLong()).isEqualTo(threadId);
            assertThat(listed.get("virtual").asBoolean()).isEqualTo(virtual);
            t0 = System.nanoTime();
            assertThat(operator.post("/actuator/thredo/" + threadId + "/cancel").statusCode()).isEqualTo(202);
            Outcome reportOutcome = outcomes.await(threadId);
            long reportMs = millisSince(t0);
            assertThat(reportOutcome).isEqualTo(Outcome.CANCELLED);
            assertThat(reportMs).isLessThan(CANCEL_BOUND_MS);
            assertThat(HttpPolling.awaitJson(http, "/api/reports/" + reportId, r -> !r.get("status").asString().equals("RUNNING"))
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

        Outcome await(long id) {
            return Polling.find("thread #" + id + " ended", () -> Optional.ofNullable(ended.get(id)));
        }
    }
}
