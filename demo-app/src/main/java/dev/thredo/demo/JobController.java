package dev.thredo.demo;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import dev.thredo.Kernel;
import dev.thredo.Thredo;
import dev.thredo.ThredoThread;
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
 * Long-running jobs an operator may cancel. {@code POST /api/jobs} starts a root thread of the
 * kernel named {@code "job-<n>"} (it outlives the request that started it) that works in steps
 * (cancellable {@link Thredo#sleep}s); {@code GET /api/jobs/{n}} reports its progress and status.
 * There is deliberately no cancel under the open {@code /api/**}: an operator cancels a job like any
 * other thread, with {@code POST /actuator/thredo/{threadId}/cancel} or the console.
 */
@RestController
@RequestMapping("/api/jobs")
class JobController {

    static final int MAX_STEPS = 10_000;
    static final int MAX_KEPT = 100;

    private final Kernel kernel;
    private final AtomicLong ids = new AtomicLong();
    private final Map<Long, Job> jobs = new ConcurrentHashMap<>();

    JobController(Kernel kernel) {
        this.kernel = kernel;
    }

    /** Starts a job of {@code steps} steps (1 to 10 000) of {@code stepMillis} each (10 to 60 000). */
    @PostMapping
    ResponseEntity<JobView> start(@RequestParam(defaultValue = "60") int steps,
            @RequestParam(defaultValue = "1000") long stepMillis) {
        if (steps < 1 || steps > MAX_STEPS) {
            throw new ResponseStatusException(HttpStatus.BAD_REQUEST,
                    "steps must be between 1 and " + MAX_STEPS + ", was " + steps);
        }
        if (stepMillis < 10 || stepMillis > 60_000) {
            throw new ResponseStatusException(HttpStatus.BAD_REQUEST,
                    "stepMillis must be between 10 and 60000, was " + stepMillis);
        }
        long id = ids.incrementAndGet();
        Job job = new Job(id, steps, Duration.ofMillis(stepMillis), Instant.now());
        // A root thread of the kernel, not a member of the request's group: the request's group is
        // closed (its members cancelled) when the request ends, the job must go on.
        job.thread = kernel.spawn("job-" + id, () -> job.work());
        jobs.put(id, job);
        forgetOldJobs();
        return ResponseEntity.accepted().location(URI.create("/api/jobs/" + id)).body(job.view());
    }

    /** Every job still remembered (the last 100), newest first. */
    @GetMapping
    List<JobView> list() {
        return jobs.values().stream().sorted(Comparator.comparingLong((Job j) -> j.id).reversed()).map(Job::view)
                .toList();
    }

    /** One job's progress and status. */
    @GetMapping("/{id}")
    JobView get(@PathVariable long id) {
        Job job = jobs.get(id);
        if (job == null) {
            throw new ResponseStatusException(HttpStatus.NOT_FOUND, "no job " + id);
        }
        return job.view();
    }

    private void forgetOldJobs() {
        if (jobs.size() <= MAX_KEPT) {
            return;
        }
        jobs.values().stream().filter(j -> j.thread != null && j.thread.isDone())
                .sorted(Comparator.comparingLong(j -> j.id))
                .limit(jobs.size() - MAX_KEPT)
                .forEach(j -> jobs.remove(j.id));
    }

    private static final class Job {

        final long id;
        final int steps;
        final Duration step;
        final Instant startedAt;
        final AtomicInteger done = new AtomicInteger();
        volatile ThredoThread<Void> thread;
        volatile Instant endedAt;

        Job(long id, int steps, Duration step, Instant startedAt) {
            this.id = id;
            this.steps = steps;
            this.step = step;
            this.startedAt = startedAt;
        }

        void work() {
            try {
                for (int i = 0; i < steps; i++) {
                    Thredo.sleep(step); // a cancellation point: a cancel ends the job here
                    done.incrementAndGet();
                }
            } finally {
                endedAt = Instant.now();
            }
        }

        JobView view() {
            ThredoThread<Void> t = thread;
            String status;
            long threadId = t == null ? 0 : t.id();
            if (t == null) {
                status = "STARTING";
            } else if (!t.isDone()) {
                status = t.isCancelled() ? "CANCELLING" : "RUNNING";
            } else {
                status = t.outcome().name();
            }
            int progress = done.get();
            return new JobView(id, "job-" + id, threadId, status, progress, steps, progress * 100 / steps,
                    step.toMillis(), startedAt, endedAt,
                    "POST /actuator/thredo/" + threadId + "/cancel");
        }
    }

    /**
     * A job as reported: {@code status} is RUNNING, CANCELLING, SUCCEEDED, CANCELLED or FAILED;
     * {@code threadId} is its thredo thread, which {@code cancel} names the actuator call for.
     */
    record JobView(long id, String name, long threadId, String status, int step, int steps, int percent,
            long stepMillis, Instant startedAt, Instant endedAt, String cancel) {
    }
}
