package dev.thredo.spring.e2e;

import dev.thredo.Event;
import dev.thredo.Thredo;
import dev.thredo.ThredoGroup;
import dev.thredo.spring.ThredoScoped;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Import;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The end-to-end test's application: auto-configuration, scheduling, one controller and one
 * {@link ThredoScoped} scheduled job. No component scan, so nothing here leaks into other tests
 * (and no other test's beans leak in here).
 */
@SpringBootConfiguration(proxyBeanMethods = false)
@EnableAutoConfiguration
@EnableScheduling
@Import({EndToEndApp.BlockingController.class, EndToEndApp.JobControl.class, EndToEndApp.E2eJob.class})
class EndToEndApp {

    /** Name of the member the blocking handler spawns into its request group. */
    static final String MEMBER_NAME = "e2e-block-member";

    @RestController
    static class BlockingController {
        /** Set by a test to let the blocked handler return normally; replaced before each test. */
        volatile Event release = new Event();

        @GetMapping("/e2e/block")
        String block(ThredoGroup group) {
            Event gate = release;
            group.spawn(MEMBER_NAME, () -> Thredo.sleep(Duration.ofDays(1)));
            gate.await();
            return "released";
        }

        /** Sets an MDC value, then a member logs and answers it: context propagation end to end. */
        @GetMapping("/e2e/mdc")
        String mdc(ThredoGroup group) throws Exception {
            org.slf4j.MDC.put("requestId", "r-77");
            try {
                dev.thredo.ThredoThread<String> member = group.spawn("e2e-mdc-member", () -> {
                    org.slf4j.LoggerFactory.getLogger(EndToEndApp.class).info("member says hello");
                    return org.slf4j.MDC.get("requestId");
                });
                return member.join();
            } finally {
                org.slf4j.MDC.remove("requestId");
            }
        }
    }

    /** What the test uses to steer {@link E2eJob}; a plain bean, not proxied. */
    static class JobControl {
        /** A gate for the next run to block on; {@code null}: runs return at once. */
        final AtomicReference<Event> nextGate = new AtomicReference<>();
        /** Runs that blocked on a gate and were released. */
        final AtomicInteger released = new AtomicInteger();
    }

    /**
     * A scheduled job whose every run is a {@code @ThredoScoped} call in the scheduler's thread, which
     * the starter has already adopted as {@link #RUN_NAME} (so the scope does not adopt it again).
     */
    public static class E2eJob {
        /** What the listing's {@code name} filter is given (a substring of the run's name). */
        static final String ADOPTED_NAME = "E2eJob.poll";
        /** The run's name: a scheduled run is a thredo thread named after its method (thredo.task). */
        static final String RUN_NAME = "@Scheduled E2eJob.poll";

        private final JobControl control;

        public E2eJob(JobControl control) {
            this.control = control;
        }

        @Scheduled(fixedDelay = 50)
        @ThredoScoped
        public void poll() {
            Event gate = control.nextGate.getAndSet(null);
            if (gate == null) {
                return;
            }
            gate.await();
            control.released.incrementAndGet();
        }
    }
}
