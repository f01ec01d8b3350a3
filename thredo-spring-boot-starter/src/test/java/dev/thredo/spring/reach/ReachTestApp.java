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
        private final ScopedCalls scoped;

        ReachController(SilentServer server, ScopedCalls scoped) {
            this.server = server;
            this.scoped = scoped;
        }

        @GetMapping("/reach/{call}")
        String reach(@PathVariable Blocking call) throws Exception {
            block(call, server, "/reach/" + call);
            return "not ended";
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
