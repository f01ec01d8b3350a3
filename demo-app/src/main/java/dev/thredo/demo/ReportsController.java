package dev.thredo.demo;

import java.net.URI;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import dev.thredo.ThredoThread;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/**
 * Reports generated in the background by an {@code @Async} method ({@link ReportGenerator}), and the
 * scheduled refresh ({@link ReportRefreshJob}). {@code POST /api/reports?seconds=N} answers 202 at once
 * with the report's id and the name of the thredo thread that will run it; {@code GET
 * /api/reports/{id}} reports its progress, its thread and its status. An operator cancels a report like
 * any other thread, in the console or with {@code POST /actuator/thredo/{threadId}/cancel}.
 */
@RestController
@RequestMapping("/api/reports")
class ReportsController {

    static final int MAX_SECONDS = 300;
    static final int MAX_KEPT = 100;
    static final String TASK = "@Async ReportGenerator.generate";

    private final ReportGenerator generator;
    private final ObjectProvider<ReportRefreshJob> refresh;
    private final AtomicLong ids = new AtomicLong();
    private final Map<Long, Report> reports = new ConcurrentHashMap<>();

    ReportsController(ReportGenerator generator, ObjectProvider<ReportRefreshJob> refresh) {
        this.generator = generator;
        this.refresh = refresh;
    }

    /** Starts a report that takes {@code seconds} (1 to 300). */
    @PostMapping
    ResponseEntity<ReportView> start(@RequestParam int seconds) {
        if (seconds < 1 || seconds > MAX_SECONDS) {
            throw new ResponseStatusException(HttpStatus.BAD_REQUEST,
                    "seconds must be between 1 and " + MAX_SECONDS + ", was " + seconds);
        }
        Report report = new Report(ids.incrementAndGet(), seconds, Instant.now());
        reports.put(report.id, report);
        forgetOldReports();
        generator.generate(report);
        return ResponseEntity.accepted().location(URI.create("/api/reports/" + report.id)).body(report.view());
    }

    /** Every report still remembered (the last 100), newest first, and the scheduled refresh. */
    @GetMapping
    Map<String, Object> list() {
        List<ReportView> views = reports.values().stream()
                .sorted(Comparator.comparingLong((Report r) -> r.id).reversed()).map(Report::view).toList();
        ReportRefreshJob job = refresh.getIfAvailable();
        return job == null ? Map.of("reports", views) : Map.of("reports", views, "refresh", job.view());
    }

    /** One report's progress and status. */
    @GetMapping("/{id}")
    ReportView get(@PathVariable long id) {
        Report report = reports.get(id);
        if (report == null) {
            throw new ResponseStatusException(HttpStatus.NOT_FOUND, "no report " + id);
        }
        return report.view();
    }

    private void forgetOldReports() {
        if (reports.size() <= MAX_KEPT) {
            return;
        }
        reports.values().stream().filter(r -> r.thread != null && r.thread.isDone())
                .sorted(Comparator.comparingLong(r -> r.id))
                .limit(reports.size() - MAX_KEPT)
                .forEach(r -> reports.remove(r.id));
    }

    /** A report being generated; its thread is set when the {@code @Async} call starts running. */
    static final class Report {
        final long id;
        final int seconds;
        final Instant requestedAt;
        final AtomicInteger progress = new AtomicInteger();
        volatile ThredoThread<?> thread;

        Report(long id, int seconds, Instant requestedAt) {
            this.id = id;
            this.seconds = seconds;
            this.requestedAt = requestedAt;
        }

        void runningIn(ThredoThread<?> t) {
            thread = t;
        }

        ReportView view() {
            ThredoThread<?> t = thread;
            String status;
            if (t == null) {
                status = "QUEUED";
            } else if (!t.isDone()) {
                status = t.isCancelled() ? "CANCELLING" : "RUNNING";
            } else {
                status = t.outcome().name();
            }
            long threadId = t == null ? 0 : t.id();
            return new ReportView(id, TASK, threadId, status, progress.get(), seconds, requestedAt,
                    t == null ? null : "POST /actuator/thredo/" + threadId + "/cancel");
        }
    }

    /**
     * A report as reported: {@code task} names its thredo thread, {@code threadId} is that thread once
     * it runs (0 while QUEUED); {@code status} is QUEUED, RUNNING, CANCELLING, SUCCEEDED, CANCELLED or
     * FAILED; {@code cancel} names the actuator call that cancels it.
     */
    record ReportView(long id, String task, long threadId, String status, int progress, int seconds,
            Instant requestedAt, String cancel) {
    }
}
