package dev.thredo.demo;

import java.time.Duration;

import dev.thredo.Thredo;
import org.springframework.scheduling.annotation.Async;
import org.springframework.stereotype.Service;

/**
 * Generates reports in the background: {@link #generate} is {@code @Async}, so it runs on Boot's
 * {@code applicationTaskExecutor}, and the starter makes each call thredo thread
 * {@code "@Async ReportGenerator.generate"}, listed and cancellable like any other.
 */
@Service
class ReportGenerator {

    /** Works on {@code report} for its number of seconds, one cancellable step a second. */
    @Async
    public void generate(ReportsController.Report report) {
        report.runningIn(Thredo.current());
        for (int i = 0; i < report.seconds; i++) {
            Thredo.sleep(Duration.ofSeconds(1)); // a cancellation point: a cancel ends the report here
            report.progress.incrementAndGet();
        }
    }
}
