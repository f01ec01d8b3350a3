package dev.thredo.spring.task;

import dev.thredo.KernelListener;
import dev.thredo.Outcome;
import dev.thredo.ThredoThread;
import dev.thredo.Thredo;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.context.annotation.Import;
import org.springframework.scheduling.annotation.Async;
import org.springframework.scheduling.annotation.EnableAsync;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.scheduling.annotation.Scheduled;

/**
 * The task tests' application: auto-configuration (Boot's executor and scheduler, the starter),
 * {@code @EnableAsync}, {@code @EnableScheduling}, an {@code @Async} service and, with
 * {@code test.jobs=true}, two scheduled jobs. No component scan.
 */
@SpringBootConfiguration(proxyBeanMethods = false)
@EnableAutoConfiguration
@EnableAsync
@EnableScheduling
@Import({TaskTestApp.Outcomes.class, TaskTestApp.ReportJob.class, TaskTestApp.MailService.class})
class TaskTestApp {

    /** Every thread's end as the kernel reports it, by thread id. */
    static class Outcomes implements KernelListener {
        final Map<Long, Ended> ended = new ConcurrentHashMap<>();

        @Override
        public void threadEnded(ThredoThread<?> thread, Outcome outcome, Duration cancelLatency) {
            ended.put(thread.id(), new Ended(thread.name(), outcome, System.nanoTime()));
        }

        Optional<Ended> of(long id) {
            return Optional.ofNullable(ended.get(id));
        }
    }

    record Ended(String name, Outcome outcome, long atNanos) {
    }

    /** Where a run or call ran: its JDK thread's name, whether virtual, its thredo thread's name. */
    record Where(String jdkName, boolean virtual, String thredoName) {
        static Where now() {
            Thread t = Thread.currentThread();
            return new Where(t.getName(), t.isVirtual(), Thredo.current().name());
        }
    }

    /**
     * Two jobs whose runs take {@code test.run-time}: {@code refresh} at a fixed delay, waiting in a
     * thredo sleep; {@code rollup} at a fixed rate, in a JDK sleep whose {@code InterruptedException} it
     * wraps, as much code does.
     */
    @ConditionalOnBooleanProperty("test.jobs")
    static class ReportJob {
        final AtomicInteger refreshRuns = new AtomicInteger();
        final AtomicInteger rollupRuns = new AtomicInteger();
        volatile Where refreshWhere;
        volatile Where rollupWhere;

        @Value("${test.run-time:30s}")
        Duration runTime;

        @Scheduled(fixedDelayString = "${test.refresh.delay:100ms}")
        public void refresh() {
            refreshRuns.incrementAndGet();
            refreshWhere = Where.now();
            Thredo.sleep(runTime);
        }

        @Scheduled(fixedRateString = "${test.rollup.rate:1s}")
        public void rollup() {
            rollupRuns.incrementAndGet();
            rollupWhere = Where.now();
            try {
                Thread.sleep(runTime.toMillis());
            } catch (InterruptedException e) {
                throw new IllegalStateException("rollup interrupted", e);
            }
        }
    }

    /** {@code @Async} methods of each return kind, each taking as long as asked. */
    static class MailService {
        private final AtomicInteger sent = new AtomicInteger();

        /** Calls of {@link #send} that ran to their end (a method: the bean is a proxy). */
        public int sent() {
            return sent.get();
        }

        @Async
        public void send(Duration d) {
            Thredo.sleep(d);
            sent.incrementAndGet();
        }

        @Async
        public Future<String> compute(Duration d) throws InterruptedException {
            Thread.sleep(d.toMillis());
            return CompletableFuture.completedFuture("computed");
        }

        @Async
        public CompletableFuture<String> report(Duration d) {
            Thredo.sleep(d);
            return CompletableFuture.completedFuture("report");
        }

        @Async
        public CompletableFuture<String> whereAmI() {
            Where w = Where.now();
            return CompletableFuture.completedFuture(org.slf4j.MDC.get("requestId") + "|" + w.jdkName() + "|"
                    + w.virtual() + "|" + w.thredoName());
        }
    }
}
