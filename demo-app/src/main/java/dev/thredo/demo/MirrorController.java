package dev.thredo.demo;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.thredo.GroupFailed;
import dev.thredo.Outcome;
import dev.thredo.ThreadTimeout;
import dev.thredo.Thredo;
import dev.thredo.ThredoGroup;
import dev.thredo.ThredoThread;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * "Fastest mirror": {@code GET /api/mirror} downloads the same thing from every mirror at once over
 * real HTTP (the JDK {@link HttpClient}, calling this application's own {@code /api/mirrors/{n}}), in
 * a {@link ThredoGroup.Wait#ANY} group: the first answer wins, and the losers are cancelled while
 * their HTTP calls are still in flight (the cancel interrupts {@code HttpClient.send}, which aborts
 * the exchange).
 */
@RestController
@RequestMapping("/api")
class MirrorController {

    private final DemoProperties properties;
    private final ObjectMapper json;
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .build();

    MirrorController(DemoProperties properties, ObjectMapper json) {
        this.properties = properties;
        this.json = json;
    }

    /** Mirror {@code n} (from 1): answers after its configured delay ({@code demo.mirror.delays}). */
    @GetMapping("/mirrors/{n}")
    Map<String, Object> mirror(@PathVariable int n) {
        List<Duration> delays = properties.getMirror().getDelays();
        if (n < 1 || n > delays.size()) {
            throw new ResponseStatusException(HttpStatus.NOT_FOUND,
                    "no mirror " + n + "; mirrors are numbered 1 to " + delays.size());
        }
        Thredo.sleep(delays.get(n - 1));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("mirror", n);
        body.put("delayMillis", delays.get(n - 1).toMillis());
        body.put("file", "thredo-0.1.0.tar.gz");
        body.put("servedAt", Instant.now().toString());
        return body;
    }

    /** Races every mirror; the fastest wins, the others are cancelled mid-request. */
    @GetMapping("/mirror")
    MirrorRace race(HttpServletRequest request) {
        String base = "http://localhost:" + request.getLocalPort() + request.getContextPath() + "/api/mirrors/";
        int count = properties.getMirror().getDelays().size();
        long start = System.nanoTime();
        List<ThredoThread<JsonNode>> members = new ArrayList<>();
        Optional<ThredoThread<?>> winner;
        try (ThredoGroup group = ThredoGroup.open("mirror race", ThredoGroup.Wait.ANY)) {
            for (int n = 1; n <= count; n++) {
                URI uri = URI.create(base + n);
                members.add(group.spawn("mirror " + n, () -> fetch(uri)));
            }
            Thredo.timeoutAfter(properties.getMirror().getTimeout(), () -> group.join());
            winner = group.completed();
        } catch (ThreadTimeout timeout) {
            throw new ResponseStatusException(HttpStatus.GATEWAY_TIMEOUT,
                    "no mirror answered within " + properties.getMirror().getTimeout());
        } catch (GroupFailed failed) {
            throw new ResponseStatusException(HttpStatus.BAD_GATEWAY,
                    "every mirror failed; first: " + failed.getCause());
        }
        if (winner.isEmpty()) {
            throw new ResponseStatusException(HttpStatus.BAD_GATEWAY, "no mirror answered");
        }
        List<MirrorAttempt> attempts = new ArrayList<>();
        List<Integer> cancelled = new ArrayList<>();
        for (int i = 0; i < members.size(); i++) {
            Outcome outcome = members.get(i).outcome();
            attempts.add(new MirrorAttempt(i + 1, outcome.name()));
            if (outcome == Outcome.CANCELLED) {
                cancelled.add(i + 1);
            }
        }
        int winnerIndex = members.indexOf(winner.get()) + 1;
        long elapsed = Duration.ofNanos(System.nanoTime() - start).toMillis();
        return new MirrorRace(winnerIndex, base + winnerIndex, elapsed, members.get(winnerIndex - 1).resultNow(),
                cancelled, attempts);
    }

    private JsonNode fetch(URI uri) throws Exception {
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri).GET();
        // Hand the deadline in force to the JDK call as its own timeout.
        Thredo.deadline().ifPresent(d -> builder.timeout(
                Duration.ofMillis(Math.max(1, Duration.between(Instant.now(), d).toMillis()))));
        HttpResponse<String> response = http.send(builder.build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException(uri + " answered " + response.statusCode());
        }
        return json.readTree(response.body());
    }

    /** What one mirror's download ended as: SUCCEEDED, CANCELLED or FAILED. */
    record MirrorAttempt(int mirror, String outcome) {
    }

    /** The race: the winning mirror, its answer, and the mirrors cancelled mid-request. */
    record MirrorRace(int winner, String url, long elapsedMillis, JsonNode response, List<Integer> cancelled,
            List<MirrorAttempt> attempts) {
    }
}
