package dev.thredo.spring.reach;

import dev.thredo.Thredo;
import dev.thredo.spring.ThredoScoped;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.stereotype.Service;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/**
 * The reach matrix's application: handlers that block in one call each ({@link Blocking}), directly
 * ({@code /reach/{call}}, under the request timeout or an HTTP cancel) or inside a
 * {@code @ThredoScoped(timeout)} service method ({@code /reach-scoped/{call}}).
 */
@SpringBootConfiguration
@EnableAutoConfiguration
@Import({ReachTestApp.ReachController.class, ReachTestApp.ScopedCalls.class})
class ReachTestApp {

    /** What a handler blocks in; each lasts far longer than any deadline of the tests. */
    enum Blocking {
        SLEEP, HTTP, THREDO
    }

    static final Duration BLOCK = Duration.ofSeconds(30);

    /** A loopback server that accepts and never answers: what {@code HttpClient.send} waits on. */
    @Bean(destroyMethod = "close")
    SilentServer silentServer() throws IOException {
        return new SilentServer();
    }

    static final class SilentServer implements AutoCloseable {
        final ServerSocket socket;

        SilentServer() throws IOException {
            socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    /** How long {@link LateServer} keeps a client waiting: longer than the request timeout. */
    static final Duration LATE = Duration.ofMillis(2_500);

    /**
     * A loopback server that answers every connection with one byte, {@link #LATE} after it was
     * accepted: a plain socket read that an interrupt does not end on a platform thread.
     */
    @Bean(destroyMethod = "close")
    LateServer lateServer() throws IOException {
        return new LateServer();
    }

    static final class LateServer implements AutoCloseable {
        final ServerSocket socket;
        private final Thread acceptor;

        LateServer() throws IOException {
            socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            acceptor = Thread.ofVirtual().name("late-server").start(this::serve);
        }

        private void serve() {
            while (!socket.isClosed()) {
                try {
                    java.net.Socket client = socket.accept();
                    Thread.ofVirtual().start(() -> {
                        try (client) {
                            Thread.sleep(LATE);
                            client.getOutputStream().write('!');
                        } catch (Exception gone) {
                            // the client went away first
                        }
                    });
                } catch (IOException closed) {
                    return;
                }
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
            try {
                acceptor.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Counted down when a handler is about to block, per call path; the tests reset them. */
    static final Map<String, CountDownLatch> ABOUT_TO_BLOCK = new ConcurrentHashMap<>();

    static CountDownLatch aboutToBlock(String path) {
        return ABOUT_TO_BLOCK.computeIfAbsent(path, p -> new CountDownLatch(1));
    }

    static void block(Blocking call, SilentServer server, String path) throws Exception {
        aboutToBlock(path).countDown();
        switch (call) {
            case SLEEP -> Thread.sleep(BLOCK.toMillis());
            case THREDO -> Thredo.sleep(BLOCK);
            case HTTP -> {
                HttpClient client = HttpClient.newHttpClient();
                try {
                    client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.socket.getLocalPort() + "/"))
                            .timeout(BLOCK).build(), HttpResponse.BodyHandlers.discarding());
                } finally {
                    client.shutdownNow();
                }
            }
        }
    }

    @RestController
    static class ReachController {
        private final SilentServer server;
        private final LateServer late;
        private final ScopedCalls scoped;

        ReachController(SilentServer server, LateServer late, ScopedCalls scoped) {
            this.server = server;
            this.late = late;
            this.scoped = scoped;
        }

        @GetMapping("/reach/{call}")
        String reach(@PathVariable Blocking call) throws Exception {
            block(call, server, "/reach/" + call);
            return "not ended";
        }

        /** Reads one byte from {@link LateServer}: no interrupt ends this read on a platform thread. */
        @GetMapping("/reach-late-socket")
        String lateSocket() throws IOException {
            try (java.net.Socket s = new java.net.Socket(late.socket.getInetAddress(), late.socket.getLocalPort())) {
                return "read " + s.getInputStream().read();
            }
        }

        @GetMapping("/reach-scoped/{call}")
        String reachScoped(@PathVariable Blocking call) throws Exception {
            scoped.call(call);
            return "not ended";
        }
    }

    @Service
    static class ScopedCalls {
        private final SilentServer server;

        ScopedCalls(SilentServer server) {
            this.server = server;
        }

        @ThredoScoped(timeout = "${reach.scoped-timeout}")
        void call(Blocking call) throws Exception {
            block(call, server, "/reach-scoped/" + call);
        }
    }
}
