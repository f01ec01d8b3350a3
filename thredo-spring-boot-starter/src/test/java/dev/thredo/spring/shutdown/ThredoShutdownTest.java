package dev.thredo.spring.shutdown;

import static dev.thredo.testing.Elapsed.millisSince;
import static org.assertj.core.api.Assertions.assertThat;

import dev.thredo.Kernel;
import dev.thredo.Outcome;
import dev.thredo.ThreadInfo;
import dev.thredo.ThredoThread;
import dev.thredo.testing.KernelPolling;
import dev.thredo.testing.Polling;
import dev.thredo.testing.TestHttp;
import java.net.http.HttpResponse;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Import;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.context.request.async.DeferredResult;

/**
 * Closing the application context (what SIGTERM does) cancels the threads that
 * serve no request as soon as it begins; in-flight requests get the graceful window and then their
 * 503; the close takes no longer than the graceful window plus {@code thredo.shutdown-timeout}.
 * With {@code server.shutdown=immediate} the request is cancelled at once.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ThredoShutdownTest {
    private static final long GRACE_MS = 1_500;

    /**
     * On platform and virtual request threads, twice each: the 503 races the web server's stop (a
     * request thread leaves the kernel before it writes its answer).
     */
    @ParameterizedTest(name = "virtual request threads: {0}")
    @ValueSource(booleans = {false, true, false, true})
    void gracefulShutdownCancelsJobsAtOnceAndRequestsAfterTheGracefulWindow(boolean virtual) throws Exception {
        Run run = Run.start("server.shutdown=graceful", "spring.lifecycle.timeout-per-shutdown-phase=1500ms",
                "spring.threads.virtual.enabled=" + virtual);
        long closeStart = System.nanoTime();
        CompletableFuture<Void> closing = CompletableFuture.runAsync(run.context::close);

        run.job.await();
        long jobEndedMs = millisSince(closeStart);
        HttpResponse<String> answer = run.request.get(20, TimeUnit.SECONDS);
        long answeredMs = millisSince(closeStart);
        closing.get(20, TimeUnit.SECONDS);
        long closedMs = millisSince(closeStart);

        assertThat(run.job.outcome()).isEqualTo(Outcome.CANCELLED);
        assertThat(jobEndedMs).as("the job is cancelled when shutdown begins").isLessThan(1_000);
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(503);
        assertThat(answer.body()).contains("The request was cancelled.");
        assertThat(answeredMs).as("the request had its graceful window").isBetween(GRACE_MS - 100, GRACE_MS + 2_000);
        assertThat(closedMs).as("closed within the window + shutdown-timeout + 2 s").isLessThan(GRACE_MS + 2_000 + 2_000);
        KernelPolling.awaitNoThreads(run.kernel);
    }

    /** An async request (its handler returned a {@code DeferredResult}) is a request too: spared, then its 503. */
    @Test
    void gracefulShutdownGivesAnAsyncRequestItsWindowThenItsAnswer() throws Exception {
        Run run = Run.startWith("/slow-deferred", "server.shutdown=graceful", "spring.lifecycle.timeout-per-shutdown-phase=1500ms");
        Answer answer = run.close();

        assertThat(answer.response().statusCode()).as(answer.response().body()).isEqualTo(503);
        assertThat(answer.response().body()).contains("The request was cancelled.");
        assertThat(answer.ms()).as("the request had its graceful window").isBetween(GRACE_MS - 100, GRACE_MS + 2_000);
        assertThat(run.job.outcome()).isEqualTo(Outcome.CANCELLED);
        KernelPolling.awaitNoThreads(run.kernel);
    }

    @ParameterizedTest(name = "virtual request threads: {0}")
    @ValueSource(booleans = {false, true})
    void immediateShutdownCancelsTheRequestAtOnce(boolean virtual) throws Exception {
        Run run = Run.start("server.shutdown=immediate", "spring.threads.virtual.enabled=" + virtual);
        Answer answer = run.close();

        assertThat(answer.response().statusCode()).as(answer.response().body()).isEqualTo(503);
        assertThat(answer.ms()).as("cancelled at once").isLessThan(1_000);
        assertThat(run.job.outcome()).isEqualTo(Outcome.CANCELLED);
        KernelPolling.awaitNoThreads(run.kernel);
    }

    /** A started application with a 60 s request in flight and a 60 s job of its own. */
    private record Run(ConfigurableApplicationContext context, Kernel kernel, ThredoThread<?> job,
            CompletableFuture<HttpResponse<String>> request) {

        static Run start(String... properties) {
            return startWith("/slow", properties);
        }

        /** As {@link #start}, with the request in flight to {@code path}. */
        static Run startWith(String path, String... properties) {
            ConfigurableApplicationContext context = new SpringApplicationBuilder(ShutdownApp.class)
                    .properties("server.port=0", "thredo.shutdown-timeout=2s")
                    .properties(properties)
                    .run();
            Kernel kernel = context.getBean(Kernel.class);
            int port = ((WebServerApplicationContext) context).getWebServer().getPort();
            ThredoThread<?> job = kernel.spawn("nightly job", () -> {
                Thread.sleep(60_000);
                return null;
            });
            CompletableFuture<HttpResponse<String>> request = TestHttp.localhost(port).getAsync(path);
            Polling.until("the request is in flight",
                    () -> kernel.threads().stream().anyMatch(t -> t.name().equals("GET " + path) && t.state() == ThreadInfo.State.BLOCKED));
            return new Run(context, kernel, job, request);
        }

        /** Closes the context as SIGTERM does, and waits for the request's answer, then for the close to end. */
        Answer close() throws Exception {
            long closeStart = System.nanoTime();
            CompletableFuture<Void> closing = CompletableFuture.runAsync(context::close);
            HttpResponse<String> response = request.get(20, TimeUnit.SECONDS);
            long answeredMs = millisSince(closeStart);
            closing.get(20, TimeUnit.SECONDS);
            return new Answer(response, answeredMs);
        }
    }

    /** The in-flight request's answer, and how long after the close began it came. */
    private record Answer(HttpResponse<String> response, long ms) {
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    @Import(ShutdownApp.SlowController.class)
    static class ShutdownApp {
        @RestController
        static class SlowController {
            @GetMapping("/slow")
            String slow() throws InterruptedException {
                Thread.sleep(60_000);
                return "never";
            }

            @GetMapping("/slow-deferred")
            DeferredResult<String> slowDeferred() {
                return new DeferredResult<>(); // never set
            }
        }
    }
}
