package dev.thredo.demo;

import java.time.Duration;
import java.util.Map;

import dev.thredo.Thredo;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/**
 * A deliberately slow endpoint to try cancellation on: the request thread (adopted by the starter as
 * thredo thread {@code "GET /api/slow"}) sleeps, cancellably. Cancelled over the actuator or the
 * console, the client gets 503 with a problem body.
 */
@RestController
@RequestMapping("/api")
class SlowController {

    static final int MAX_SLEEP_SECONDS = 300;

    /** Sleeps {@code seconds} (0 to 300), then answers {@code {"slept": seconds}}. */
    @GetMapping("/slow")
    Map<String, Integer> slow(@RequestParam int seconds) {
        if (seconds < 0 || seconds > MAX_SLEEP_SECONDS) {
            throw new ResponseStatusException(HttpStatus.BAD_REQUEST,
                    "seconds must be between 0 and " + MAX_SLEEP_SECONDS + ", was " + seconds);
        }
        Thredo.sleep(Duration.ofSeconds(seconds));
        return Map.of("slept", seconds);
    }
}
