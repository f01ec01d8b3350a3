package dev.thredo.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 13's shutdown, on the real thing: demo-app's boot jar started as a process with a 60 s
 * scheduled run, a 60 s {@code @Async} report and a 60 s request in flight, then SIGTERM. The run and
 * the report end {@code CANCELLED} at once, the request answers its 503 when the graceful window (3 s)
 * ends, and the process exits within that window + {@code thredo.shutdown-timeout} (2 s) + 2 s.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DemoShutdownIT {
    private static final long GRACE_MS = 3_000;
    private static final long SHUTDOWN_TIMEOUT_MS = 2_000;
    private static final String AUTH = "Basic " + Base64.getEncoder().encodeToString("admin:thredo".getBytes(StandardCharsets.UTF_8));

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    /** The process's output lines. */
    private final List<String> output = new CopyOnWriteArrayList<>();
    private Process demo;
    private Thread reader;

    @AfterEach
    void stopDemo() throws Exception {
        if (demo != null && demo.isAlive()) {
            demo.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        // what the demo printed, to read when an assertion fails
        Files.write(Path.of("target", "DemoShutdownIT-demo.log"), output);
    }

    @Test
    void sigtermCancelsJobsAtOnceAndRequestsWhenTheGracefulWindowEnds() throws Exception {
        int port = freePort();
        demo = start(port);
        awaitTrue("the demo is up", Duration.ofSeconds(60), () -> status(port, "/actuator/health") == 200);

        CompletableFuture<HttpResponse<String>> request = http.sendAsync(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/slow?seconds=60"))
                        .timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> report = http.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/api/reports?seconds=60"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(report.statusCode()).as(report.body()).isEqualTo(202);
        awaitTrue("the run, the report and the request are listed", Duration.ofSeconds(30), () -> {
            String threads = threads(port);
            return threads.contains("@Scheduled ReportRefreshJob.refresh") && threads.contains("@Async ReportGenerator.generate")
                    && threads.contains("GET /api/slow");
        });

        Instant sigtermAt = Instant.now();
        long sigterm = System.nanoTime();
        demo.toHandle().destroy(); // SIGTERM (Process.destroy would also close our end of its output)
        HttpResponse<String> answer = request.get(30, TimeUnit.SECONDS);
        long answeredMs = millisSince(sigterm);
        assertThat(demo.waitFor(30, TimeUnit.SECONDS)).as("the process exited").isTrue();
        long exitedMs = millisSince(sigterm);
        reader.join(10_000); // every line the process printed has been read

        assertThat(cancelledAfterMs("@Scheduled ReportRefreshJob.refresh", sigtermAt)).as("the scheduled run, cancelled at once")
                .isBetween(-50L, 1_000L);
        assertThat(cancelledAfterMs("@Async ReportGenerator.generate", sigtermAt)).as("the report, cancelled at once")
                .isBetween(-50L, 1_000L);
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(503);
        assertThat(answer.body()).contains("The request was cancelled.");
        assertThat(answeredMs).as("the request had its graceful window").isBetween(GRACE_MS - 200, GRACE_MS + SHUTDOWN_TIMEOUT_MS);
        assertThat(exitedMs).as("exit within the window + thredo.shutdown-timeout + 2 s")
                .isLessThan(GRACE_MS + SHUTDOWN_TIMEOUT_MS + 2_000);
        assertThat(output).noneMatch(l -> l.contains(" ERROR ") || l.contains(" WARN "));
    }

    private Process start(int port) throws IOException {
        Path jar = Path.of(System.getProperty("demo.jar", "target/demo-app-0.1.0-SNAPSHOT.jar"));
        assertThat(Files.isRegularFile(jar)).as("the boot jar " + jar + " (built by the package phase)").isTrue();
        String java = ProcessHandle.current().info().command().orElse("java");
        Process p = new ProcessBuilder(java, "-jar", jar.toString(),
                "--server.port=" + port, "--server.address=127.0.0.1",
                "--spring.lifecycle.timeout-per-shutdown-phase=" + GRACE_MS + "ms",
                "--thredo.shutdown-timeout=" + SHUTDOWN_TIMEOUT_MS + "ms",
                "--demo.reports.refresh.initial-delay=0s", "--demo.reports.refresh.every=60s",
                "--demo.reports.refresh.takes=60s")
                .redirectErrorStream(true).start();
        reader = Thread.ofPlatform().daemon(true).name("demo-output").start(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null;) {
                    output.add(line);
                }
            } catch (IOException ended) {
                // the process is gone
            }
        });
        return p;
    }

    /**
     * When the demo logged that {@code name} was cancelled, by the line's own timestamp (Boot's console
     * format starts with the instant), in ms after {@code since}; {@code Long.MIN_VALUE} if it never did.
     */
    private long cancelledAfterMs(String name, Instant since) {
        return output.stream().filter(l -> l.contains(name) && l.contains("was cancelled"))
                .mapToLong(l -> Duration.between(since, Instant.parse(l.substring(0, l.indexOf(' ')))).toMillis())
                .findFirst().orElse(Long.MIN_VALUE);
    }

    private int status(int port, String path) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException | InterruptedException notYet) {
            return -1;
        }
    }

    private String threads(int port) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/thredo?limit=1000"))
                    .header("Authorization", AUTH).build(), HttpResponse.BodyHandlers.ofString()).body();
        } catch (IOException | InterruptedException notYet) {
            return "";
        }
    }

    private static void awaitTrue(String what, Duration limit, BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime() - end).as("never reached: " + what).isNegative();
            Thread.sleep(50);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static long millisSince(long t0) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    }
}
