package dev.thredo.spring.web;

import dev.thredo.Thredo;
import dev.thredo.ThredoGroup;
import dev.thredo.ThredoThread;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Import;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** The client-disconnect tests' application: auto-configuration plus one controller. */
@SpringBootConfiguration
@EnableAutoConfiguration
@Import(DisconnectTestApp.DisconnectController.class)
class DisconnectTestApp {

    @RestController
    static class DisconnectController {
        /** The member spawned by the last /block, to check the group was cancelled with its request. */
        final AtomicReference<ThredoThread<?>> lastMember = new AtomicReference<>();
        /** Requests to /slow and /read-slow whose sleep ran to its end. */
        final AtomicInteger completed = new AtomicInteger();
        /** Bodies /read-slow has read to their end. */
        final AtomicInteger bodiesRead = new AtomicInteger();

        @GetMapping("/block")
        String block(ThredoGroup group) {
            lastMember.set(group.spawn("member", () -> Thredo.sleep(Duration.ofDays(1))));
            Thredo.sleep(Duration.ofDays(1));
            return "never";
        }

        @GetMapping("/slow")
        String slow(@RequestParam long ms) {
            Thredo.sleep(Duration.ofMillis(ms));
            completed.incrementAndGet();
            return "slept " + ms;
        }

        @GetMapping("/fast")
        String fast() {
            return "fast";
        }

        /** Reads the whole body through the input stream, then sleeps. */
        @PostMapping("/read-slow")
        String readSlow(HttpServletRequest request, @RequestParam long ms) throws IOException {
            int length = request.getInputStream().readAllBytes().length;
            bodiesRead.incrementAndGet();
            Thredo.sleep(Duration.ofMillis(ms));
            completed.incrementAndGet();
            return "read " + length;
        }
    }
}
