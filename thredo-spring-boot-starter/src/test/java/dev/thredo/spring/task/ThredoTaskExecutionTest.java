package dev.thredo.spring.task;

import static dev.thredo.testing.Polling.until;
import static org.assertj.core.api.Assertions.assertThat;

import dev.thredo.Kernel;
import dev.thredo.Outcome;
import dev.thredo.ThreadInfo;
import dev.thredo.Thredo;
import dev.thredo.testing.HttpPolling;
import dev.thredo.testing.KernelPolling;
import dev.thredo.testing.LogCapture;
import dev.thredo.testing.TestHttp;
import dev.thredo.spring.task.TaskTestApp.Ended;
import dev.thredo.spring.task.TaskTestApp.MailService;
import dev.thredo.spring.task.TaskTestApp.Outcomes;
import dev.thredo.spring.task.TaskTestApp.ReportJob;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.MDC;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.task.AsyncTaskExecutor;
import tools.jackson.databind.JsonNode;

/**
 * {@code @Async} calls and {@code @Scheduled} runs as thredo threads, over real HTTP on both thread
 * kinds ({@code spring.threads.virtual.enabled} false: Boot's {@code ThreadPoolTaskExecutor}/{@code ThreadPoolTaskScheduler}; true: its
 * {@code SimpleAsyncTaskExecutor}/{@code SimpleAsyncTaskScheduler} on virtual threads): scheduled runs
 * and {@code @Async} calls are listed by {@code GET /actuator/thredo} under their methods' names, on
 * the threads Boot configured; a cancel (by {@code POST /actuator/thredo/{id}/cancel},
 * {@code Future.cancel(true)} or {@code CompletableFuture.cancel}) ends them {@code CANCELLED} within
 * 1 s, logged once at INFO and nothing at WARN or ERROR; the schedule goes on.
 *
 * <p>Each test runs its own application and closes it, so no schedule outlives it.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ThredoTaskExecutionTest {

    private static final long CANCEL_BOUND_MS = 1_000;

    @ParameterizedTest(name = "virtual threads: {0}")
    @ValueSource(booleans = {false, true})
    void scheduledRunsAreListedByNameCancelledOverHttpAndTheScheduleGoesOn(boolean virtual) throws Exception {
        try (App app = App.start(virtual, "test.jobs=true")) {
            ReportJob job = app.context.getBean(ReportJob.class);

            for (String name : List.of("@Scheduled ReportJob.refresh", "@Scheduled ReportJob.rollup")) {
                JsonNode run = app.awaitListed(name, Set.of());
                long id = run.get("id").asLong();
                assertThat(run.get("virtual").asBoolean()).as(name + " virtual").isEqualTo(virtual);

                long t0 = System.nanoTime();
                assertThat(app.post("/actuator/thredo/" + id + "/cancel").statusCode()).isEqualTo(202);
                Ended ended = app.awaitEnded(id);

                assertThat(ended.outcome()).as(name).isEqualTo(Outcome.CANCELLED);
                assertThat(latencyMs(virtual, name + ", HTTP cancel", t0, ended)).isLessThan(CANCEL_BOUND_MS);
                JsonNode next = app.awaitListed(name, Set.of(id));
                assertThat(next.get("id").asLong()).as("the next run of " + name).isGreaterThan(id);
                assertThat(app.cancelledLines(id)).as("logged once at INFO").hasSize(1);
            }
            assertThat(job.refreshWhere.jdkName()).startsWith("tick-");
            assertThat(job.refreshWhere.virtual()).isEqualTo(virtual);
            assertThat(job.rollupWhere.jdkName()).startsWith("tick-");
            assertThat(job.rollupWhere.virtual()).isEqualTo(virtual);
            assertThat(job.refreshRuns.get()).isGreaterThanOrEqualTo(2);
            assertThat(job.rollupRuns.get()).isGreaterThanOrEqualTo(2);
            app.closeAndAssertQuiet();
        }
    }

    @ParameterizedTest(name = "virtual threads: {0}")
    @ValueSource(booleans = {false, true})
    void asyncCallIsListedByNameAndCancelledOverHttpQuietly(boolean virtual) throws Exception {
        try (App app = App.start(virtual)) {
            MailService mail = app.context.getBean(MailService.class);

            mail.send(Duration.ofSeconds(30));
            JsonNode call = app.awaitListed("@Async MailService.send", Set.of());
            long id = call.get("id").asLong();
            assertThat(call.get("virtual").asBoolean()).isEqualTo(virtual);
            long t0 = System.nanoTime();
            assertThat(app.post("/actuator/thredo/" + id + "/cancel").statusCode()).isEqualTo(202);
            Ended ended = app.awaitEnded(id);

            assertThat(ended.outcome()).isEqualTo(Outcome.CANCELLED);
            assertThat(latencyMs(virtual, "@Async void, HTTP cancel", t0, ended)).isLessThan(CANCEL_BOUND_MS);
            assertThat(mail.sent()).isZero();
            assertThat(app.cancelledLines(id)).hasSize(1);
            app.closeAndAssertQuiet();
        }
    }

    @ParameterizedTest(name = "virtual threads: {0}")
    @ValueSource(booleans = {false, true})
    void futureCancelEndsTheAsyncCallCancelled(boolean virtual) throws Exception {
        try (App app = App.start(virtual)) {
            Future<String> future = app.context.getBean(MailService.class).compute(Duration.ofSeconds(30));
            assertCancelEndsTheCallCancelled(app, virtual, "@Async MailService.compute", future,
                    "@Async Future, Future.cancel(true)");
        }
    }

    @ParameterizedTest(name = "virtual threads: {0}")
    @ValueSource(booleans = {false, true})
    void completableFutureCancelEndsTheAsyncCallCancelled(boolean virtual) throws Exception {
        try (App app = App.start(virtual)) {
            CompletableFuture<String> future = app.context.getBean(MailService.class).report(Duration.ofSeconds(30));
            assertCancelEndsTheCallCancelled(app, virtual, "@Async MailService.report", future,
                    "@Async CompletableFuture, CompletableFuture.cancel(true)");
        }
    }

    @ParameterizedTest(name = "virtual threads: {0}")
    @ValueSource(booleans = {false, true})
    void asyncCallRunsOnBootsExecutorThreadWithTheCallersContext(boolean virtual) throws Exception {
        try (App app = App.start(virtual)) {
            MDC.put("requestId", "r-42");
            String where;
            try {
                where = app.context.getBean(MailService.class).whereAmI().get(10, TimeUnit.SECONDS);
            } finally {
                MDC.remove("requestId");
            }
            String[] parts = where.split("\\|");

            assertThat(parts[0]).as("the caller's MDC").isEqualTo("r-42");
            assertThat(parts[1]).as("the executor's thread name prefix").startsWith("work-");
            assertThat(parts[2]).as("virtual").isEqualTo(Boolean.toString(virtual));
            assertThat(parts[3]).as("the thredo thread").isEqualTo("@Async MailService.whereAmI");
            app.closeAndAssertQuiet();
        }
    }

    /**
     * A task handed to Boot's executor directly is a thredo thread too, named after the executor's
     * thread; cancelled, it ends quietly: no uncaught exception reaches the executor's thread.
     */
    @ParameterizedTest(name = "virtual threads: {0}")
    @ValueSource(booleans = {false, true})
    void aPlainExecutorTaskIsAThredoThreadAndEndsQuietlyWhenCancelled(boolean virtual) throws Exception {
        ConcurrentLinkedQueue<Throwable> uncaught = new ConcurrentLinkedQueue<>();
        Thread.UncaughtExceptionHandler before = Thread.getDefaultUncaughtExceptionHandler();
        Thread.setDefaultUncaughtExceptionHandler((t, e) -> uncaught.add(e));
        try (App app = App.start(virtual)) {
            AsyncTaskExecutor executor = app.context.getBean("applicationTaskExecutor", AsyncTaskExecutor.class);
            executor.execute(() -> Thredo.sleep(Duration.ofSeconds(30)));
            ThreadInfo task = app.awaitBlocked("work-");

            assertThat(task.virtual()).isEqualTo(virtual);
            assertThat(app.kernel.cancel(task.id())).isTrue();
            Ended ended = app.awaitEnded(task.id());

            assertThat(ended.outcome()).isEqualTo(Outcome.CANCELLED);
            assertThat(app.cancelledLines(task.id())).hasSize(1);
            app.closeAndAssertQuiet();
            assertThat(uncaught).isEmpty();
        } finally {
            Thread.setDefaultUncaughtExceptionHandler(before);
        }
    }

    /**
     * Once the {@code @Async} call {@code name} is blocked, {@code future.cancel(true)} ends it
     * {@code CANCELLED} within {@link #CANCEL_BOUND_MS}, logged once at INFO and nothing at WARN or ERROR.
     */
    private static void assertCancelEndsTheCallCancelled(App app, boolean virtual, String name, Future<?> future,
            String what) {
        ThreadInfo call = app.awaitBlocked(name);

        long t0 = System.nanoTime();
        assertThat(future.cancel(true)).isTrue();
        Ended ended = app.awaitEnded(call.id());

        assertThat(ended.outcome()).isEqualTo(Outcome.CANCELLED);
        assertThat(latencyMs(virtual, what, t0, ended)).isLessThan(CANCEL_BOUND_MS);
        assertThat(app.cancelledLines(call.id())).hasSize(1);
        app.closeAndAssertQuiet();
    }

    /** From the cancel to the kernel's report of the thread's end, printed for the record. */
    private static long latencyMs(boolean virtual, String what, long cancelNanos, Ended ended) {
        long ms = TimeUnit.NANOSECONDS.toMillis(ended.atNanos() - cancelNanos);
        System.out.printf("[task] %s threads, %s: ended %s %d ms after the cancel%n", virtual ? "virtual" : "platform",
                what, ended.outcome(), ms);
        return ms;
    }

    /** A started test application, its log captured from then on. */
    private static final class App implements AutoCloseable {
        final ConfigurableApplicationContext context;
        final Kernel kernel;
        final Outcomes outcomes;
        final int port;
        final LogCapture log;

        private App(ConfigurableApplicationContext context) {
            this.context = context;
            this.kernel = context.getBean(Kernel.class);
            this.outcomes = context.getBean(Outcomes.class);
            this.port = ((WebServerApplicationContext) context).getWebServer().getPort();
            this.log = LogCapture.attach();
        }

        static App start(boolean virtual, String... properties) {
            return new App(new SpringApplicationBuilder(TaskTestApp.class)
                    .properties("server.port=0",
                            "spring.threads.virtual.enabled=" + virtual,
                            "spring.task.execution.thread-name-prefix=work-",
                            "spring.task.scheduling.thread-name-prefix=tick-",
                            "spring.task.scheduling.pool.size=2",
                            "management.endpoints.web.exposure.include=thredo",
                            "management.endpoint.thredo.access=unrestricted")
                    .properties(properties)
                    .run());
        }

        /** Polls {@code GET /actuator/thredo} until a thread named {@code name}, not one of {@code not}, is listed. */
        JsonNode awaitListed(String name, Set<Long> not) {
            return HttpPolling.awaitListed(TestHttp.localhost(port), name, not);
        }

        /** Waits until a thread whose name starts with {@code prefix} is blocked (so it is in its sleep). */
        ThreadInfo awaitBlocked(String prefix) {
            Predicate<ThreadInfo> match = t -> t.name().startsWith(prefix) && t.state() == ThreadInfo.State.BLOCKED;
            return KernelPolling.awaitThread(kernel, match);
        }

        /**
         * The task integration's INFO lines naming thread {@code id}, once there is one: the line is
         * written when the task's adoption closes, just after the kernel has counted its end.
         */
        List<String> cancelledLines(long id) {
            until("an INFO line for thredo thread #" + id, () -> !lines(id).isEmpty());
            return lines(id);
        }

        private List<String> lines(long id) {
            return log.infos("dev.thredo.spring.task").stream().filter(l -> l.contains("(thredo thread #" + id + ")")).toList();
        }

        Ended awaitEnded(long id) {
            until("thread #" + id + " has ended", () -> outcomes.of(id).isPresent());
            return outcomes.of(id).orElseThrow();
        }

        HttpResponse<String> post(String path) {
            return TestHttp.localhost(port).post(path);
        }

        /**
         * Closes the application (the runs still going are cancelled) and checks that nothing was logged
         * at WARN or ERROR from the start until the close was over.
         */
        void closeAndAssertQuiet() {
            context.close();
            KernelPolling.awaitNoThreads(kernel);
            List<String> warnings = new ArrayList<>(log.warnings());
            assertThat(warnings).as("logged at WARN or ERROR").isEmpty();
        }

        @Override
        public void close() {
            log.detach();
            context.close();
        }
    }
}
