package dev.thredo.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.thredo.Outcome;
import dev.thredo.ThreadCancelled;
import dev.thredo.Thredo;
import dev.thredo.ThredoThread;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Runs every example with small parameters and checks what it shows. Sleeps inside the examples
 * are their simulated work or latency, never synchronization; time bounds are generous.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ExamplesTest {

    @Test
    void spawnJoin_returnsTheValue_andAFailureAsThreadFailedCause() throws Exception {
        SpawnJoin.Result r = SpawnJoin.run("2", "3", "three");
        assertEquals(5, r.sum());
        assertInstanceOf(NumberFormatException.class, r.failure());
    }

    @Test
    void cancelSleeper_endsA100SecondSleepAtOnce() throws Exception {
        CancelSleeper.Result r = CancelSleeper.run(Duration.ofSeconds(100), Duration.ofMillis(50));
        assertEquals(Outcome.CANCELLED, r.sleeper().outcome());
        assertInstanceOf(ThreadCancelled.class, r.sleeper().exceptionNow());
        assertTrue(r.cancelTook().compareTo(Duration.ofSeconds(10)) < 0, "cancel took " + r.cancelTook());
    }

    @Test
    void semaphoreHolderCancel_releasesThePermitOnUnwind() throws Exception {
        SemaphoreHolderCancel.Result r = SemaphoreHolderCancel.run(Duration.ofMillis(300), Duration.ofMillis(20));
        assertEquals(Outcome.CANCELLED, r.holder().outcome());
        assertEquals(Outcome.SUCCEEDED, r.waiter().outcome());
        // worker-1 never finished its work: its finally released the permit, and worker-2 got it.
        assertEquals(List.of("worker-1 acquired", "worker-1 cancelled", "worker-1 releases",
                "worker-2 acquired", "worker-2 done", "worker-2 releases"), r.log());
        assertEquals(1, r.permitsLeft());
    }

    @Test
    void diningPhilosophers_deadlockIsBrokenByCancellingOne() throws Exception {
        for (int seed = 0; seed < 5; seed++) {
            DiningPhilosophers.Result r = DiningPhilosophers.run(5, Duration.ofMillis(200), Duration.ofMillis(5), new Random(seed));
            assertTrue(r.deadlocked());
            for (int i = 0; i < 5; i++) {
                ThredoThread<Void> p = r.philosophers().get(i);
                assertEquals(i == r.victim() ? Outcome.CANCELLED : Outcome.SUCCEEDED, p.outcome(), p.toString());
            }
            assertEquals(4, r.meals());
        }
    }

    @Test
    void workerPool_cancelsTheWorkersAndWaitsForTheCpuBoundMember() throws Exception {
        Duration spinFor = Duration.ofSeconds(2);
        long start = System.nanoTime();
        WorkerPool.Result r = WorkerPool.run(4, 10, Duration.ofMillis(5), spinFor);
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertEquals(10, r.processedBy().size(), r.processedBy().toString());
        List<ThredoThread<?>> members = r.members();
        assertEquals(5, members.size());
        for (ThredoThread<?> worker : members.subList(0, 4)) {
            assertEquals(Outcome.CANCELLED, worker.outcome(), worker.toString());
        }
        ThredoThread<?> spinner = members.get(4);
        // The block ended (~50 ms of items) long before the spinner: it was asked to cancel, but
        // never blocked, so it ran to completion and the block waited for it.
        assertTrue(spinner.isCancelled(), spinner.toString());
        assertEquals(Outcome.SUCCEEDED, spinner.outcome());
        assertTrue(r.spins() > 0);
        assertTrue(took.compareTo(spinFor) >= 0, "took " + took);
    }

    @Test
    void raceHttpGets_fastestWins_losersAreCancelledMidRequest() throws Exception {
        Map<String, Duration> delays = new LinkedHashMap<>();
        delays.put("/slow", Duration.ofSeconds(30));
        delays.put("/fast", Duration.ofMillis(50));
        delays.put("/slower", Duration.ofSeconds(40));
        RaceHttpGets.Result r = RaceHttpGets.run(delays);

        assertEquals("/fast", r.winner());
        assertEquals("Die Threads! from /fast", r.body());
        assertEquals(Set.of("/slow", "/fast", "/slower"), r.serverStarted()); // every GET was in flight
        for (ThredoThread<?> get : r.gets()) {
            Outcome expected = get.name().equals("GET /fast") ? Outcome.SUCCEEDED : Outcome.CANCELLED;
            assertEquals(expected, get.outcome(), get.toString());
        }
    }

    @Test
    void happyEyeballs_firstConnectionWins_afterAFailureAndAStalledAttempt() throws Exception {
        try (ServerSocket stalled = listener(); ServerSocket answering = listener()) {
            InetSocketAddress stalledAddress = address(stalled);
            InetSocketAddress answeringAddress = address(answering);
            InetSocketAddress refused = HappyEyeballs.closedPort();
            HappyEyeballs.Dialer dialer = HappyEyeballs.withLatency(
                    Map.of(stalledAddress, Duration.ofSeconds(100), answeringAddress, Duration.ofMillis(20)));

            HappyEyeballs.Result r = Thredo.run(() -> HappyEyeballs.connect(
                    List.of(stalledAddress, refused, answeringAddress), Duration.ofMillis(100), dialer));
            try (Socket s = r.socket()) {
                assertEquals(answeringAddress.getPort(), s.getPort());
                assertTrue(s.isConnected());
            }
            List<ThredoThread<?>> attempts = r.attempts();
            assertEquals(3, attempts.size());
            assertEquals(Outcome.CANCELLED, attempts.get(0).outcome()); // stalled, cancelled by the win
            assertEquals(Outcome.SUCCEEDED, attempts.get(1).outcome()); // refused: a null result, no win
            assertNull(attempts.get(1).resultNow());
            assertEquals(Outcome.SUCCEEDED, attempts.get(2).outcome());
        }
    }

    @Test
    void happyEyeballs_aQuickFirstAddressWins_beforeTheStaggerExpires() throws Exception {
        try (ServerSocket first = listener(); ServerSocket second = listener()) {
            HappyEyeballs.Result r = Thredo.run(() -> HappyEyeballs.connect(
                    List.of(address(first), address(second)), Duration.ofSeconds(30), HappyEyeballs.DIRECT));
            List<ThredoThread<?>> attempts = r.attempts();
            assertEquals(Outcome.SUCCEEDED, attempts.get(0).outcome());
            try (Socket s = r.socket()) {
                assertTrue(s.isConnected() && !s.isClosed());
                // DESIGN §3.4: the first member to succeed wins. The group learns of a member's end
                // before anyone can see it done, so the connector, woken by the first attempt's end,
                // finds the race already won and cannot start a second attempt that wins instead.
                assertEquals(first.getLocalPort(), s.getPort());
            }
            // The connector's wait on the first attempt returns as that attempt ends, possibly just
            // before the win cancels the connector, so a second attempt may have been started; it is
            // cancelled at once, or, had it connected too, connect() closed its socket.
            for (ThredoThread<?> other : attempts.subList(1, attempts.size())) {
                assertTrue(other.outcome() == Outcome.CANCELLED
                        || other.resultNow() instanceof Socket s && (s.isClosed() || s == r.socket()), other.toString());
            }
        }
    }

    @Test
    void happyEyeballs_noAddressAnswers() throws Exception {
        InetSocketAddress a = HappyEyeballs.closedPort();
        InetSocketAddress b = HappyEyeballs.closedPort();
        IOException e = assertThrows(IOException.class, () -> Thredo.run(
                () -> HappyEyeballs.connect(List.of(a, b), Duration.ofSeconds(30), HappyEyeballs.DIRECT)));
        assertTrue(e.getMessage().startsWith("could not connect"), e.getMessage());
    }

    @Test
    void echoServer_cancellingTheServerEndsEveryClientHandler() throws Exception {
        EchoServer.Result r = EchoServer.run(3);
        assertEquals(List.of("hello 0", "hello 1", "hello 2"), r.echoes());
        assertEquals(Outcome.CANCELLED, r.server().outcome());
        assertEquals(3, r.handlers().size());
        for (ThredoThread<?> h : r.handlers()) {
            assertEquals(Outcome.CANCELLED, h.outcome(), h.toString());
        }
        for (String seen : r.afterCancel()) {
            assertTrue(seen.equals("EOF") || seen.equals("reset"), seen);
        }
        assertFalse(r.afterCancel().isEmpty());
    }

    private static ServerSocket listener() throws IOException {
        return new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    }

    private static InetSocketAddress address(ServerSocket s) {
        return (InetSocketAddress) s.getLocalSocketAddress();
    }

    @Test
    void parallelCpu_twoCpuBoundThreadsComputeTheSameResultInParallel() throws Exception {
        ParallelCpu.Result r = ParallelCpu.measure(50_000_000L);
        assertEquals(ParallelCpu.spin(50_000_000L), r.checksum());
        // Measured, not asserted: the speedup depends on how busy the machine is.
        System.out.printf("ParallelCpu: %d cores, speedup %.2f%n", Runtime.getRuntime().availableProcessors(), r.speedup());
    }
}
