package dev.thredo.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import dev.thredo.Kernel;
import dev.thredo.testing.Disconnects;
import dev.thredo.testing.KernelPolling;
import dev.thredo.testing.RawHttp;
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

    private static final String REQUEST = "GET /api/slow";
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
            double before = Disconnects.count(registry);
            long nanos;
            try (RawHttp client = RawHttp.connect(port).send(RawHttp.get("/api/slow?seconds=30"))) {
                KernelPolling.awaitThread(kernel, t -> t.name().equals(REQUEST));
                Thread.sleep(stay.toMillis()); // the request's age when its client leaves, not a wait for an event
                nanos = client.closeAndTimeUntilGone(kernel, REQUEST);
            }
            latencies.add(nanos);

            assertThat(nanos).as("socket close → request thread gone").isLessThan(TimeUnit.SECONDS.toNanos(1));
            assertThat(Disconnects.count(registry)).as("thredo.web.disconnects").isEqualTo(before + 1);
        }
        List<Long> sorted = latencies.stream().sorted().toList();
        System.out.printf("socket close (%s) → request thread gone, %d rounds: median %.1f ms, max %.1f ms, all %s%n",
                when, ROUNDS, sorted.get(ROUNDS / 2) / 1e6, sorted.get(ROUNDS - 1) / 1e6,
                latencies.stream().map(n -> String.format("%.1f", n / 1e6)).toList());
    }
}
