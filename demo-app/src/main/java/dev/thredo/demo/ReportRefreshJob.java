package dev.thredo.demo;

import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * A scheduled job: refreshes the reports' figures every {@code demo.reports.refresh.every} (after the
 * previous run ended), each run working for {@code demo.reports.refresh.takes}. The starter runs each
 * run as thredo thread {@code "@Scheduled ReportRefreshJob.refresh"} on Boot's scheduler, so it is
 * listed by the console and the actuator and can be cancelled there: the run ends (its JDK sleep
 * interrupted), is counted cancelled, logged once at INFO, and the next run comes as scheduled.
 */
@Component
@ConditionalOnBooleanProperty(name = "demo.reports.refresh.enabled", matchIfMissing = true)
class ReportRefreshJob {

    private static final Logger log = LoggerFactory.getLogger(ReportRefreshJob.class);

    private final DemoProperties.Refresh settings;
    private final AtomicLong started = new AtomicLong();
    private final AtomicLong completed = new AtomicLong();
    private volatile Instant lastCompletedAt;

    ReportRefreshJob(DemoProperties properties) {
        this.settings = properties.getReports().getRefresh();
    }

    @Scheduled(initialDelayString = "${demo.reports.refresh.initial-delay:5s}",
            fixedDelayString = "${demo.reports.refresh.every:30s}")
    void refresh() throws InterruptedException {
        long run = started.incrementAndGet();
        Thread.sleep(settings.getTakes()); // stands for the work; a cancel interrupts it
        completed.incrementAndGet();
        lastCompletedAt = Instant.now();
        log.info("report refresh #{} done", run);
    }

    /** Runs started, runs that completed, when the last one completed ({@code null}: none yet). */
    RefreshView view() {
        return new RefreshView(started.get(), completed.get(), lastCompletedAt, settings.getEvery().toMillis(),
                settings.getTakes().toMillis());
    }

    record RefreshView(long runsStarted, long runsCompleted, Instant lastCompletedAt, long everyMillis,
            long takesMillis) {
    }
}
