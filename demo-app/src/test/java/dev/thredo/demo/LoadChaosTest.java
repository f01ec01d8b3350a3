package dev.thredo.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.thredo.testing.LogCapture;
import dev.thredo.testing.TestHttp;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

import dev.thredo.Kernel;
import dev.thredo.KernelStats;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * Load and chaos on loopback: {@code load.clients} concurrent clients loop for {@code load.seconds}
 * on the fan-out ({@code /api/fares}) and slow ({@code /api/slow}) endpoints while a chaos loop lists
 * the live thredo threads over the actuator and cancels random ones, and a probe times
 * {@code /actuator/health} throughout.
 *
 * <p>What must hold afterwards: every answer is a 2xx, a 4xx, or the designed 503 problem body of a
 * cancelled request (no other 5xx, no transport errors); the kernel's live threads drop to 0 within
 * 5 s of the load stopping; the application logged no ERROR and no stack trace. The defaults are the
 * short CI variant; {@code -Pload} (demo-app's pom) runs the heavy one, 200 clients for 60 s.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class LoadChaosTest {

    private static final int CLIENTS = Integer.getInteger("load.clients", 50);
    private static final int SECONDS = Integer.getInteger("load.seconds", 8);
    /** How long the kernel may take to let go of every thread once the load has stopped. */
    private static final Duration SETTLE = Duration.ofSeconds(5);
    private static final String CREDENTIALS = TestHttp.basic("admin:thredo");
    /** How many random threads the chaos loop cancels per listing. */
    private static final int CANCELS_PER_LISTING = 3;
    private static final String[] AIRPORTS = {"ZRH", "LIS", "JFK", "NRT", "CDG", "SYD"};

    @LocalServerPort
    int port;

    @Autowired
    Kernel kernel;

    @Autowired
    ObjectMapper json;

    private final Map<String, LongAdder> statuses = new ConcurrentHashMap<>();
    private final LongAdder designed503 = new LongAdder();
    private final ConcurrentLinkedQueue<String> unexpected = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<Long> healthNanos = new ConcurrentLinkedQueue<>();
    private final LongAdder cancelsAccepted = new LongAdder();
    private final LongAdder cancelsMissed = new LongAdder();
    private final AtomicBoolean running = new AtomicBoolean(true);

    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void loadWithChaosLosesNothingAndLeavesNothingRunning() throws Exception {
        LogCapture log = LogCapture.attach();
        long loadMillis;
        long liveAfter;
        long settleMillis;
        try {
            long started = System.nanoTime();
            try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int i = 0; i < CLIENTS; i++) {
                    threads.submit(this::client);
                }
                threads.submit(this::chaos);
                threads.submit(this::healthProbe);
                Thread.sleep(Duration.ofSeconds(SECONDS)); // the load's own duration: nothing to wait for
                running.set(false);
            } // close(): waits for every client to finish its request in flight
            long stopped = System.nanoTime();
            loadMillis = TimeUnit.NANOSECONDS.toMillis(stopped - started);
            liveAfter = awaitNoLiveThreads();
            settleMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stopped);
        } finally {
            running.set(false);
            log.detach();
        }

        long requests = statuses.values().stream().mapToLong(LongAdder::sum).sum();
        long ok = count(s -> s >= 200 && s < 300);
        long otherServerErrors = count(s -> s >= 500) - designed503.sum();
        long healthP99 = percentileMillis(healthNanos, 0.99);
        System.out.printf("[load] clients=%d duration=%ds requests=%d 2xx=%d designed503=%d other5xx=%d "
                + "healthP99=%dms healthChecks=%d liveAfter=%d logErrors=%d cancelsSent=%d cancelsAccepted=%d "
                + "settleMillis=%d loadMillis=%d statuses=%s%n",
                CLIENTS, SECONDS, requests, ok, designed503.sum(), otherServerErrors, healthP99, healthNanos.size(),
                liveAfter, logErrors(log).size(), cancelsAccepted.sum() + cancelsMissed.sum(), cancelsAccepted.sum(),
                settleMillis, loadMillis, new TreeMap<>(sums()));

        assertThat(unexpected).as("unexpected answers and transport errors").isEmpty();
        assertThat(otherServerErrors).as("5xx other than the designed 503 of a cancelled request").isZero();
        assertThat(ok).as("requests served").isPositive();
        // The chaos must have bitten, or the run proves nothing about cancellation under load.
        assertThat(cancelsAccepted.sum()).as("cancels accepted").isPositive();
        assertThat(designed503.sum()).as("requests ended by a cancel").isPositive();
        assertThat(healthNanos).as("health checks").isNotEmpty();
        assertThat(liveAfter).as("live thredo threads %s after the load", SETTLE).isZero();
        assertThat(logErrors(log)).as("ERRORs and stack traces in the log").isEmpty();
    }

    /** One client: fan-out and slow requests, one at a time, until the load stops. */
    private void client() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        while (running.get()) {
            String path = random.nextBoolean()
                    ? "/api/fares?from=" + AIRPORTS[random.nextInt(3)] + "&to=" + AIRPORTS[3 + random.nextInt(3)]
                    : "/api/slow?seconds=" + (1 + random.nextInt(2));
            try {
                HttpResponse<String> response = http().get(path);
                record(path, response);
            } catch (Exception e) {
                unexpected.add(path + " -> " + e);
            }
        }
    }

    private void record(String path, HttpResponse<String> response) {
        int status = response.statusCode();
        statuses.computeIfAbsent(String.valueOf(status), s -> new LongAdder()).increment();
        if (status == 503 && isCancellationProblem(response)) {
            designed503.increment();
        } else if (status != 200) {
            unexpected.add(path + " -> " + status + " " + response.body());
        }
    }

    /** The answer {@code ThredoRequestFilter} gives a request ended by a cancel: a 503 problem body. */
    private boolean isCancellationProblem(HttpResponse<String> response) {
        if (!response.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json")) {
            return false;
        }
        JsonNode body = json.readTree(response.body());
        return body.path("status").asInt() == 503 && body.path("detail").asString().equals("The request was cancelled.");
    }

    /**
     * Lists the live threads over the actuator and cancels a few random ones, at least one of them a
     * request thread, none of them an actuator request (cancelling the health probe would measure
     * the chaos, not the server), with Basic
     * credentials, as {@code curl -u} sends them.
     */
    private void chaos() {
        while (running.get()) {
            try {
                HttpResponse<String> listing = operator().get("/actuator/thredo?limit=10000");
                if (listing.statusCode() != 200) {
                    unexpected.add("listing -> " + listing.statusCode() + " " + listing.body());
                    continue;
                }
                List<Long> requests = new ArrayList<>();
                List<Long> others = new ArrayList<>();
                for (JsonNode t : json.readTree(listing.body()).get("threads")) {
                    String name = t.get("name").asString();
                    if (name.startsWith("GET /api/")) {
                        requests.add(t.get("id").asLong());
                    } else if (!name.contains(" /actuator")) {
                        others.add(t.get("id").asLong()); // fan-out members ("provider …")
                    }
                }
                if (requests.isEmpty() && others.isEmpty()) {
                    Thread.sleep(10); // the clients are between requests; nothing to cancel yet
                    continue;
                }
                // One request thread (its client must get the designed 503), then any threads.
                Collections.shuffle(requests);
                List<Long> targets = new ArrayList<>(requests.subList(0, Math.min(1, requests.size())));
                others.addAll(requests.subList(targets.size(), requests.size()));
                Collections.shuffle(others);
                targets.addAll(others.subList(0, Math.min(CANCELS_PER_LISTING - targets.size(), others.size())));
                for (long id : targets) {
                    cancel(id);
                }
            } catch (Exception e) {
                unexpected.add("chaos -> " + e);
            }
        }
    }

    private void cancel(long id) throws Exception {
        HttpResponse<String> cancel = operator().post("/actuator/thredo/" + id + "/cancel");
        switch (cancel.statusCode()) {
            case 202 -> cancelsAccepted.increment();
            case 404 -> cancelsMissed.increment(); // it ended between the listing and the cancel
            default -> unexpected.add("cancel " + id + " -> " + cancel.statusCode() + " " + cancel.body());
        }
    }

    /** Times {@code GET /actuator/health} back to back, a few milliseconds apart. */
    private void healthProbe() {
        while (running.get()) {
            try {
                long start = System.nanoTime();
                HttpResponse<String> health = http().get("/actuator/health");
                healthNanos.add(System.nanoTime() - start);
                if (health.statusCode() != 200) {
                    unexpected.add("health -> " + health.statusCode() + " " + health.body());
                }
                Thread.sleep(20);
            } catch (Exception e) {
                unexpected.add("health -> " + e);
            }
        }
    }

    /** Polls the kernel until no thread is live or {@link #SETTLE} has passed; the live count then. */
    private long awaitNoLiveThreads() throws InterruptedException {
        long until = System.nanoTime() + SETTLE.toNanos();
        KernelStats stats = kernel.stats();
        while (stats.live() > 0 && System.nanoTime() < until) {
            Thread.sleep(10);
            stats = kernel.stats();
        }
        if (stats.live() > 0) {
            System.out.println("[load] still live: " + kernel.threads());
        }
        return stats.live();
    }

    private static List<String> logErrors(LogCapture log) {
        List<String> all = new ArrayList<>(log.errors());
        log.withExceptions().stream().filter(line -> !all.contains(line)).forEach(all::add);
        return all;
    }

    private long count(java.util.function.IntPredicate status) {
        return statuses.entrySet().stream().filter(e -> status.test(Integer.parseInt(e.getKey())))
                .mapToLong(e -> e.getValue().sum()).sum();
    }

    private Map<String, Long> sums() {
        Map<String, Long> sums = new TreeMap<>();
        statuses.forEach((status, n) -> sums.put(status, n.sum()));
        return sums;
    }

    private static long percentileMillis(ConcurrentLinkedQueue<Long> nanos, double p) {
        long[] sorted = nanos.stream().mapToLong(Long::longValue).toArray();
        if (sorted.length == 0) {
            return -1;
        }
        Arrays.sort(sorted);
        int index = (int) Math.ceil(p * sorted.length) - 1;
        return TimeUnit.NANOSECONDS.toMillis(sorted[Math.max(0, index)]);
    }

    /** HTTP/1.1 with a connection per request in flight: the clients really run concurrently. */
    private TestHttp http() {
        return TestHttp.localhost(port);
    }

    /** As the operator, with Basic credentials, as {@code curl -u} sends them. */
    private TestHttp operator() {
        return http().authorized(CREDENTIALS);
    }
}
