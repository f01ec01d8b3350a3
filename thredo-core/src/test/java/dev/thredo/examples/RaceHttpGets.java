package dev.thredo.examples;

import com.sun.net.httpserver.HttpServer;
import dev.thredo.Thredo;
import dev.thredo.ThredoGroup;
import dev.thredo.ThredoThread;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Race several HTTP GETs and keep the fastest answer: a {@link ThredoGroup.Wait#ANY} group takes the
 * first member to succeed and cancels the rest, which are blocked inside
 * {@link HttpClient#send}; the cancel interrupts them, and the JDK client aborts their requests
 * (thredo's {@code examples/treq.py} and {@code examples/euro/ex7}).
 */
public final class RaceHttpGets {
    private RaceHttpGets() {
    }

    /** The winning path and body, every GET (ended by now), and the paths the server began to serve. */
    public record Result(String winner, String body, List<ThredoThread<?>> gets, Set<String> serverStarted) {
    }

    /**
     * A deliberately slow local server (thredo's {@code euro/serv.py}): each path answers after its
     * own delay. It starts answering only once all the racing requests have arrived, so that every
     * GET is really in flight when the race is decided (otherwise a fast machine could decide it
     * before the losers' requests even left).
     */
    static final class SlowServer implements AutoCloseable {
        final HttpServer http;
        final ExecutorService handlers = Executors.newVirtualThreadPerTaskExecutor();
        final Set<String> started = ConcurrentHashMap.newKeySet();

        SlowServer(Map<String, Duration> delays) throws IOException {
            CountDownLatch allArrived = new CountDownLatch(delays.size());
            http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            http.setExecutor(handlers); // one virtual thread per request, so slow answers overlap
            delays.forEach((path, delay) -> http.createContext(path, exchange -> {
                try (exchange) {
                    started.add(path);
                    allArrived.countDown();
                    allArrived.await(30, TimeUnit.SECONDS);
                    Thread.sleep(delay); // the simulated slowness
                    byte[] body = ("Die Threads! from " + path).getBytes(StandardCharsets.UTF_8);
                    exchange.sendResponseHeaders(200, body.length);
                    exchange.getResponseBody().write(body);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt(); // the server is shutting down
                }
            }));
            http.start();
        }

        URI uri(String path) {
            return URI.create("http://127.0.0.1:" + http.getAddress().getPort() + path);
        }

        @Override
        public void close() {
            http.stop(0);
            handlers.shutdownNow(); // interrupts handlers still sleeping for a client long gone
        }
    }

    /** One GET; an ordinary blocking call, cancelled by the interrupt that comes with a thredo cancel. */
    static String get(HttpClient client, URI uri) throws IOException, InterruptedException {
        System.out.println("GET " + uri.getPath());
        try {
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
            System.out.println(uri.getPath() + " answered " + r.statusCode());
            return r.body();
        } catch (InterruptedException e) {
            System.out.println(uri.getPath() + " cancelled mid-request");
            throw e; // the thread ends CANCELLED, and so is no failure for the group
        }
    }

    public static Result run(Map<String, Duration> delays) throws Exception {
        try (SlowServer server = new SlowServer(delays);
             HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            return Thredo.run(() -> {
                try (ThredoGroup race = ThredoGroup.open(ThredoGroup.Wait.ANY)) {
                    for (String path : delays.keySet()) {
                        race.spawn("GET " + path, () -> get(client, server.uri(path)));
                    }
                    race.join(); // returns when the first GET succeeds; the others are cancelled by then
                    ThredoThread<?> winner = race.completed().orElseThrow();
                    String body = race.result();
                    System.out.println("Winner: " + winner.name() + ": " + body);
                    return new Result(winner.name().substring("GET ".length()), body, race.threads(),
                            Set.copyOf(server.started));
                }
            });
        }
    }

    public static void main(String[] args) throws Exception {
        run(Map.of("/a", Duration.ofSeconds(5), "/b", Duration.ofSeconds(2), "/c", Duration.ofSeconds(8),
                "/d", Duration.ofSeconds(12)));
    }
}
