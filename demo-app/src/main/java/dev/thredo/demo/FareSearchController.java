package dev.thredo.demo;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import dev.thredo.Outcome;
import dev.thredo.Thredo;
import dev.thredo.ThredoGroup;
import dev.thredo.ThredoThread;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/**
 * Fan-out search: {@code GET /api/fares?from=ZRH&to=LIS} asks every simulated provider at once, in a
 * {@link ThredoGroup.Wait#ALL} group under a deadline ({@code demo.fares.deadline}), and answers with
 * the fares that arrived in time, cheapest first, plus which providers failed and which timed out
 * (those were cancelled at the deadline).
 *
 * <p>With the thredo request integration off ({@code thredo.web.enabled=false}) a request is not a
 * thredo thread and cannot open a group; the same search then runs on plain virtual threads
 * ({@link ExecutorService#invokeAll(java.util.Collection, long, TimeUnit) invokeAll} under the deadline,
 * which interrupts the late ones). That is the baseline of thredo-bench's HTTP figure.
 */
@RestController
@RequestMapping("/api")
class FareSearchController {

    private static final Pattern AIRPORT = Pattern.compile("[A-Za-z]{3}");

    private final DemoProperties properties;
    private final boolean thredoRequests;

    FareSearchController(DemoProperties properties, @Value("${thredo.web.enabled:true}") boolean thredoRequests) {
        this.properties = properties;
        this.thredoRequests = thredoRequests;
    }

    @GetMapping("/fares")
    FareSearch fares(@RequestParam String from, @RequestParam String to) {
        if (!AIRPORT.matcher(from).matches() || !AIRPORT.matcher(to).matches()) {
            throw new ResponseStatusException(HttpStatus.BAD_REQUEST,
                    "from and to must be three-letter airport codes, were '" + from + "' and '" + to + "'");
        }
        String origin = from.toUpperCase(Locale.ROOT);
        String destination = to.toUpperCase(Locale.ROOT);
        Duration deadline = properties.getFares().getDeadline();
        Map<String, DemoProperties.Provider> providers = properties.getFares().getProviders();
        long start = System.nanoTime();
        if (!thredoRequests) {
            return plainVirtualThreads(origin, destination, deadline, providers, start);
        }

        Map<String, ThredoThread<ProviderAnswer>> asked = new LinkedHashMap<>();
        // A group of its own, so the console shows request -> "fares ZRH-LIS" -> one member per provider.
        try (ThredoGroup group = ThredoGroup.open("fares " + origin + "-" + destination, ThredoGroup.Wait.ALL)) {
            providers.forEach((name, provider) -> asked.put(name,
                    group.spawn("provider " + name, () -> ask(name, provider, origin, destination))));
            // At the deadline join() cancels the providers still working and waits for them; ignoreAfter
            // swallows the expiry, so we go on with whatever arrived.
            Thredo.ignoreAfter(deadline, () -> group.join());
        } // close(): nothing the group spawned outlives this line

        Results results = new Results();
        asked.forEach((name, thread) -> {
            if (thread.outcome() == Outcome.SUCCEEDED) {
                results.answer(name, thread.resultNow());
            } else if (thread.outcome() == Outcome.CANCELLED) {
                results.timedOut.add(name);
            } else {
                results.failed.add(new ProviderFailure(name, String.valueOf(thread.exceptionNow())));
            }
        });
        return results.search(origin, destination, deadline, start);
    }

    /** The same search without thredo: one plain virtual thread per provider, the late ones interrupted. */
    private static FareSearch plainVirtualThreads(String origin, String destination, Duration deadline,
            Map<String, DemoProperties.Provider> providers, long start) {
        List<String> names = new ArrayList<>(providers.keySet());
        List<Callable<ProviderAnswer>> tasks = new ArrayList<>();
        names.forEach(name -> tasks.add(() -> ask(name, providers.get(name), origin, destination)));
        Results results = new Results();
        List<Future<ProviderAnswer>> futures;
        try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
            futures = executor.invokeAll(tasks, deadline.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ResponseStatusException(HttpStatus.SERVICE_UNAVAILABLE, "interrupted", e);
        }
        for (int i = 0; i < names.size(); i++) {
            Future<ProviderAnswer> f = futures.get(i);
            switch (f.state()) {
                case SUCCESS -> results.answer(names.get(i), f.resultNow());
                case CANCELLED -> results.timedOut.add(names.get(i));
                default -> results.failed.add(new ProviderFailure(names.get(i), String.valueOf(f.exceptionNow())));
            }
        }
        return results.search(origin, destination, deadline, start);
    }

    /** What the providers answered, gathered into a {@link FareSearch}. */
    private static final class Results {
        final List<Fare> fares = new ArrayList<>();
        final List<String> answered = new ArrayList<>();
        final List<ProviderFailure> failed = new ArrayList<>();
        final List<String> timedOut = new ArrayList<>();

        void answer(String name, ProviderAnswer answer) {
            if (answer.error() == null) {
                answered.add(name);
                fares.addAll(answer.fares());
            } else {
                failed.add(new ProviderFailure(name, answer.error()));
            }
        }

        FareSearch search(String origin, String destination, Duration deadline, long start) {
            fares.sort(Comparator.comparingDouble(Fare::price));
            long elapsed = Duration.ofNanos(System.nanoTime() - start).toMillis();
            return new FareSearch(origin, destination, deadline.toMillis(), elapsed, fares, answered, failed, timedOut);
        }
    }

    /**
     * One provider's answer. A provider failure is reported as a value, not thrown: in a
     * {@code Wait.ALL} group a failing member would cancel its siblings, and one flaky provider must
     * not spoil the others' results.
     */
    private static ProviderAnswer ask(String name, DemoProperties.Provider provider, String from, String to) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long jitter = provider.getJitter().toMillis();
        Thredo.sleep(provider.getLatency().plusMillis(jitter > 0 ? random.nextLong(jitter + 1) : 0));
        if (random.nextDouble() < provider.getFailureRate()) {
            return new ProviderAnswer(List.of(), name + " answered 500 Internal Server Error");
        }
        int seed = Math.abs((name + from + to).hashCode());
        List<Fare> fares = new ArrayList<>();
        for (int i = 0; i < 1 + seed % 3; i++) {
            double price = 80 + (seed % 400) + i * 37.5 + random.nextInt(20);
            fares.add(new Fare(name, name.substring(0, 2).toUpperCase(Locale.ROOT) + (100 + (seed + i * 7) % 900),
                    from, to, Math.round(price * 100) / 100.0, "EUR"));
        }
        return new ProviderAnswer(fares, null);
    }

    record ProviderAnswer(List<Fare> fares, String error) {
    }

    /** One fare offered by a provider. */
    record Fare(String provider, String flight, String from, String to, double price, String currency) {
    }

    /** A provider that answered with an error. */
    record ProviderFailure(String provider, String error) {
    }

    /**
     * The search result: the fares that arrived before the deadline (cheapest first), the providers
     * that answered, those that failed and those still working at the deadline (cancelled).
     */
    record FareSearch(String from, String to, long deadlineMillis, long elapsedMillis, List<Fare> fares,
            List<String> answered, List<ProviderFailure> failed, List<String> timedOut) {
    }
}
