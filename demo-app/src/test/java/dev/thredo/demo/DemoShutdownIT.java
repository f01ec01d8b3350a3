package dev.thredo.demo;

import static dev.thredo.testing.Elapsed.millisSince;
import static org.assertj.core.api.Assertions.assertThat;

import dev.thredo.testing.Polling;
import dev.thredo.testing.TestHttp;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Graceful shutdown, on the real thing: demo-app's boot jar started as a process with a 60 s
 * scheduled run, a 60 s {@code @Async} report and a 60 s request in flight, then SIGTERM. The run and
 * the report end {@code CANCELLED} at once, the request answers its 503 when the graceful window (3 s)
 * ends, and the process exits within that window + {@code thredo.shutdown-timeout} (2 s) + 2 s.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DemoShutdownIT {
    private static final long GRACE_MS = 3_000;
    private static final long SHUTDOWN_TIMEOUT_MS = 2_000;
    private static final String AUTH = TestHttp.basic("admin:thredo");

    private DemoProcess demo;

    @AfterEach
    void stopDemo() throws Exception {
        if (demo != null) {
            demo.close();
        }
    }

    @Test
    void sigtermCancelsJobsAtOnceAndRequestsWhenTheGracefulWindowEnds() throws Exception {
        demo = DemoProcess.start("DemoShutdownIT-demo",
                "--spring.lifecycle.timeout-per-shutdown-phase=" + GRACE_MS + "ms",
                "--thredo.shutdown-timeout=" + SHUTDOWN_TIMEOUT_MS + "ms",
                "--demo.reports.refresh.initial-delay=0s", "--demo.reports.refresh.every=60s",
                "--demo.reports.refresh.takes=60s");

        CompletableFuture<HttpResponse<String>> request = demo.http().sendAsync(
                demo.http().request("/api/slow?seconds=60").timeout(Duration.ofSeconds(60)));
        HttpResponse<String> report = demo.http().post("/api/reports?seconds=60");
        assertThat(report.statusCode()).as(report.body()).isEqualTo(202);
        Polling.until("the run, the report and the request are listed", Duration.ofSeconds(30), () -> {
            String threads = threads();
            return threads.contains("@Scheduled ReportRefreshJob.refresh") && threads.contains("@Async ReportGenerator.generate")
                    && threads.contains("GET /api/slow");
        });

        Instant sigtermAt = Instant.now();
        long sigterm = System.nanoTime();
        demo.process().toHandle().destroy(); // SIGTERM (Process.destroy would also close our end of its output)
        HttpResponse<String> answer = request.get(30, TimeUnit.SECONDS);
        long answeredMs = millisSince(sigterm);
        assertThat(demo.process().waitFor(30, TimeUnit.SECONDS)).as("the process exited").isTrue();
        long exitedMs = millisSince(sigterm);
        demo.awaitOutputRead();

        assertThat(cancelledAfterMs("@Scheduled ReportRefreshJob.refresh", sigtermAt)).as("the scheduled run, cancelled at once")
                .isBetween(-50L, 1_000L);
        assertThat(cancelledAfterMs("@Async ReportGenerator.generate", sigtermAt)).as("the report, cancelled at once")
                .isBetween(-50L, 1_000L);
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(503);
        assertThat(answer.body()).contains("The request was cancelled.");
        assertThat(answeredMs).as("the request had its graceful window").isBetween(GRACE_MS - 200, GRACE_MS + SHUTDOWN_TIMEOUT_MS);
        assertThat(exitedMs).as("exit within the window + thredo.shutdown-timeout + 2 s")
                .isLessThan(GRACE_MS + SHUTDOWN_TIMEOUT_MS + 2_000);
        assertThat(demo.output()).noneMatch(l -> l.contains(" ERROR ") || l.contains(" WARN "));
    }

    /**
     * When the demo logged that {@code name} was cancelled, by the line's own timestamp (Boot's console
     * format starts with the instant), in ms after {@code since}; {@code Long.MIN_VALUE} if it never did.
     */
    private long cancelledAfterMs(String name, Instant since) {
        return demo.output().stream().filter(l -> l.contains(name) && l.contains("was cancelled"))
                .mapToLong(l -> Duration.between(since, Instant.parse(l.substring(0, l.indexOf(' ')))).toMillis())
                .findFirst().orElse(Long.MIN_VALUE);
    }

    private String threads() {
        try {
            return demo.http().authorized(AUTH).get("/actuator/thredo?limit=1000").body();
        } catch (UncheckedIOException notYet) {
            return "";
        }
    }
}
