package dev.thredo.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import dev.thredo.Kernel;
import dev.thredo.ThreadInfo;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * A raw socket client asks {@code GET /api/slow?seconds=30} and closes the connection: the request's
 * thredo thread is cancelled and gone from the kernel well within a second, and
 * {@code thredo.web.disconnects} counts it. Twenty rounds; the latencies are printed.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ClientDisconnectTest {

    private static final Duration BOUND = Duration.ofSeconds(10);
    private static final int ROUNDS = 20;

    @LocalServerPort
    int port;

    @Autowired
    Kernel kernel;

    @Autowired
    MeterRegistry registry;

    @Test
    void aClientThatLeavesHasItsSlowRequestCancelledWithinASecond() throws Exception {
        measure("at once", Duration.ZERO);
    }

    @Test
    void aClientThatLeavesAfterAWhileHasItsSlowRequestCancelledWithinASecond() throws Exception {
        // A request older than the watcher's tick already has its connection registered: only detection is left.
        measure("after 300 ms", Duration.ofMillis(300));
    }

    private void measure(String when, Duration stay) throws Exception {
        List<Long> latencies = new ArrayList<>();
        for (int round = 0; round < ROUNDS; round++) {
            double before = disconnects();
            long nanos;
            try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
                OutputStream out = socket.getOutputStream();
                out.write(("GET /api/slow?seconds=30 HTTP/1.1\r\nHost: localhost:" + port + "\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                out.flush();
                long id = awaitRequestThread().id();
                Thread.sleep(stay.toMillis()); // the request's age when its client leaves, not a wait for an event
                long closed = System.nanoTime();
                socket.close();
                nanos = awaitGone(id, closed);
            }
            latencies.add(nanos);

            assertThat(nanos).as("socket close → request thread gone").isLessThan(TimeUnit.SECONDS.toNanos(1));
            assertThat(disconnects()).as("thredo.web.disconnects").isEqualTo(before + 1);
        }
        List<Long> sorted = latencies.stream().sorted().toList();
        System.out.printf("socket close (%s) → request thread gone, %d rounds: median %.1f ms, max %.1f ms, all %s%n",
                when, ROUNDS, sorted.get(ROUNDS / 2) / 1e6, sorted.get(ROUNDS - 1) / 1e6,
                latencies.stream().map(n -> String.format("%.1f", n / 1e6)).toList());
    }

    private ThreadInfo awaitRequestThread() throws InterruptedException {
        long deadline = System.nanoTime() + BOUND.toNanos();
        while (true) {
            Optional<ThreadInfo> found = kernel.threads().stream()
                    .filter(t -> t.name().equals("GET /api/slow")).findFirst();
            if (found.isPresent()) {
                return found.get();
            }
            if (System.nanoTime() - deadline > 0) {
                fail("no request thread GET /api/slow within " + BOUND);
            }
            Thread.sleep(2);
        }
    }

    private long awaitGone(long id, long since) throws InterruptedException {
        while (kernel.thread(id).isPresent()) {
            if (System.nanoTime() - since > BOUND.toNanos()) {
                fail("request thread " + id + " still live " + BOUND + " after its client left");
            }
            Thread.sleep(1);
        }
        return System.nanoTime() - since;
    }

    private double disconnects() {
        return registry.get("thredo.web.disconnects").functionCounter().count();
    }
}
