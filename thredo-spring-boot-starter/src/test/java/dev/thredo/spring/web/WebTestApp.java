package dev.thredo.spring.web;

import dev.thredo.Thredo;
import dev.thredo.ThredoGroup;
import dev.thredo.ThredoThread;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Import;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** The web tests' application: auto-configuration plus one controller, no component scan. */
@SpringBootConfiguration
@EnableAutoConfiguration
@Import(WebTestApp.TestController.class)
class WebTestApp {

    @RestController
    static class TestController {
        /** The last member spawned by /leave or /block, to check it was cancelled. */
        final AtomicReference<ThredoThread<?>> lastMember = new AtomicReference<>();
        volatile CountDownLatch memberStarted = new CountDownLatch(1);

        @GetMapping("/sum")
        String sum(ThredoGroup group) {
            boolean same = ThredoGroup.current().orElseThrow() == group;
            String threadName = Thredo.current().name();
            ThredoThread<Integer> a = group.spawn(() -> 1);
            ThredoThread<Integer> b = group.spawn(() -> 2);
            ThredoThread<Integer> c = group.spawn(() -> {
                Thredo.sleep(Duration.ofMillis(20));
                return 3;
            });
            group.join();
            int total = a.resultNow() + b.resultNow() + c.resultNow();
            return total + "|" + group.name() + "|" + threadName + "|" + same;
        }

        @GetMapping("/leave")
        String leave(ThredoGroup group) {
            lastMember.set(group.spawn("blocker", () -> {
                memberStarted.countDown();
                Thredo.sleep(Duration.ofDays(1));
            }));
            return "left";
        }

        @GetMapping("/block")
        String block(ThredoGroup group) {
            lastMember.set(group.spawn("blocker", () -> {
                memberStarted.countDown();
                Thredo.sleep(Duration.ofDays(1));
            }));
            Thredo.sleep(Duration.ofDays(1));
            return "never";
        }

        @GetMapping("/block-jdk")
        String blockJdk() throws InterruptedException {
            // A JDK blocking call: the cancel's interrupt ends it; the handler lets it escape as is.
            new CountDownLatch(1).await();
            return "never";
        }

        @GetMapping("/fast")
        String fast() {
            return "fast";
        }

        @GetMapping("/fail")
        String fail() {
            throw new IllegalArgumentException("bad");
        }
    }
}
