package dev.thredo;

import static dev.thredo.testing.KernelPolling.awaitInFrame;
import static dev.thredo.testing.KernelPolling.awaitParked;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Cancellation reaches a thread wherever it blocks: thredo waits and the JDK blocking calls that
 * honour interrupts. {@code requestCancel} never blocks, not even where the JDK's interrupt does.
 */
@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class CancellationTest {
    /** Generous: catches a canceller that blocks on delivery, not a slow machine. The benchmarks measure the real cost. */
    private static final long REQUEST_CANCEL_BOUND_NANOS = Duration.ofMillis(50).toNanos();

    /** A blocking body that signals {@code blocked} just before it blocks. */
    interface Blocker {
        void block(CountDownLatch blocked) throws Exception;
    }

    /** Spawns {@code body}, cancels it once blocked, and checks the outcome and how long requestCancel took. */
    private static void assertCancelledWhileBlocked(Blocker body) throws Exception {
        Thredo.run(() -> {
            for (int round = 0; round < 5; round++) {
                CountDownLatch blocked = new CountDownLatch(1);
                ThredoThread<Void> t = Thredo.spawn(() -> {
                    body.block(blocked);
                    return null;
                });
                blocked.await();
                awaitParked(t.thread());
                long start = System.nanoTime();
                assertTrue(t.requestCancel());
                long took = System.nanoTime() - start;
                assertTrue(took < REQUEST_CANCEL_BOUND_NANOS, "requestCancel took " + took + " ns");
                t.await();
                assertEquals(Outcome.CANCELLED, t.outcome(), () -> "ended with " + t.exceptionNow());
            }
            return null;
        });
    }

    @Test
    void cancelEndsThredoSleep() throws Exception {
        assertCancelledWhileBlocked(blocked -> {
            blocked.countDown();
            Thredo.sleep(Duration.ofSeconds(30));
        });
    }

    @Test
    void cancelEndsJdkThreadSleep() throws Exception {
        assertCancelledWhileBlocked(blocked -> {
            blocked.countDown();
            Thread.sleep(30_000);
        });
    }

    @Test
    void cancelEndsJdkBlockingQueueTake() throws Exception {
        assertCancelledWhileBlocked(blocked -> {
            blocked.countDown();
            new LinkedBlockingQueue<String>().take();
        });
    }

    @Test
    void cancelEndsSocketReadOnVirtualThread() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            assertCancelledWhileBlocked(blocked -> {
                try (Socket s = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort());
                        Socket peer = server.accept();
                        InputStream in = s.getInputStream()) {
                    blocked.countDown();
                    in.read(); // the peer never writes
                }
            });
        }
    }

    @Test
    void cancelEndsHttpClientSend() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        CountDownLatch stop = new CountDownLatch(1);
        server.createContext("/silent", exchange -> {
            try {
                stop.await(); // never answers while the test runs
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                exchange.close();
            }
        });
        server.setExecutor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
        server.start();
        try (HttpClient client = HttpClient.newHttpClient()) {
            URI uri = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/silent");
            assertCancelledWhileBlocked(blocked -> {
                blocked.countDown();
                client.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
            });
        } finally {
            stop.countDown();
            server.stop(0);
        }
    }

    /**
     * The JDK trap: interrupting a virtual thread in {@code FileChannel.read} on a FIFO blocks the
     * interrupter until the read returns. requestCancel must not.
     */
    @Test
    void requestCancelDoesNotBlockWhereInterruptWould() throws Exception {
        Path dir = Files.createTempDirectory("thredo-fifo");
        Path fifo = dir.resolve("fifo");
        Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).start();
        assertEquals(0, mkfifo.waitFor());
        try (FileChannel writer = FileChannel.open(fifo, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            Thredo.run(() -> {
                CountDownLatch blocked = new CountDownLatch(1);
                ThredoThread<Void> reader = Thredo.spawn(() -> {
                    try (FileChannel ch = FileChannel.open(fifo, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                        blocked.countDown();
                        ch.read(ByteBuffer.allocate(1)); // nobody writes until the test says so
                    }
                    return null;
                });
                blocked.await();
                awaitInFrame(reader.thread(), "sun.nio.ch.FileChannelImpl.read"); // RUNNABLE in the read: the carrier is blocked in the kernel
                long start = System.nanoTime();
                assertTrue(reader.requestCancel());
                long took = System.nanoTime() - start;
                assertTrue(took < REQUEST_CANCEL_BOUND_NANOS, "requestCancel took " + took + " ns");
                writer.write(ByteBuffer.wrap(new byte[] {1})); // let the read, and so the interrupt, finish
                reader.await();
                assertTrue(reader.isCancelled());
                return null;
            });
        } finally {
            Files.deleteIfExists(fifo);
            Files.deleteIfExists(dir);
        }
    }

    @Test
    void cancellationIsDeliveredAgainAtEveryBlockingPoint() throws Exception {
        Thredo.run(() -> {
            AtomicInteger deliveries = new AtomicInteger();
            CountDownLatch sleeping = new CountDownLatch(1);
            ThredoThread<Integer> t = Thredo.spawn(() -> {
                sleeping.countDown();
                for (int i = 0; i < 3; i++) {
                    try {
                        Thredo.sleep(Duration.ofSeconds(30));
                    } catch (ThreadCancelled swallowed) {
                        deliveries.incrementAndGet();
                    }
                }
                return deliveries.get();
            });
            sleeping.await();
            t.requestCancel();
            assertEquals(3, t.join());
            return null;
        });
    }

    @Test
    void swallowedInterruptedExceptionDoesNotLoseTheCancellation() throws Exception {
        Thredo.run(() -> {
            CountDownLatch sleeping = new CountDownLatch(1);
            ThredoThread<Void> t = Thredo.spawn(() -> {
                sleeping.countDown();
                try {
                    Thread.sleep(30_000);
                } catch (InterruptedException swallowed) {
                    // a careless library
                }
                Thredo.sleep(Duration.ofSeconds(30)); // still cancelled here
            });
            sleeping.await();
            awaitParked(t.thread());
            t.requestCancel();
            t.await();
            assertEquals(Outcome.CANCELLED, t.outcome());
            return null;
        });
    }

    @Test
    void jdkCallAfterSwallowedThreadCancelledIsInterruptedToo() throws Exception {
        Thredo.run(() -> {
            CountDownLatch sleeping = new CountDownLatch(1);
            ThredoThread<String> t = Thredo.spawn(() -> {
                sleeping.countDown();
                try {
                    Thredo.sleep(Duration.ofSeconds(30));
                } catch (ThreadCancelled swallowed) {
                    // level-triggered: the next JDK blocking call fails at once
                }
                try {
                    Thread.sleep(30_000);
                    return "slept";
                } catch (InterruptedException e) {
                    return "interrupted";
                }
            });
            sleeping.await();
            t.requestCancel();
            assertEquals("interrupted", t.join());
            return null;
        });
    }

    @Test
    void threadIgnoringItsCancellationIsReportedStuck() throws Exception {
        try (Kernel kernel = Kernel.builder().stuckThreshold(Duration.ofMillis(100))
                .shutdownGracePeriod(Duration.ofSeconds(5)).build()) {
            CountDownLatch started = new CountDownLatch(1);
            java.util.concurrent.atomic.AtomicBoolean release = new java.util.concurrent.atomic.AtomicBoolean();
            ThredoThread<Void> stubborn = kernel.spawn("stubborn", () -> {
                started.countDown();
                while (!release.get()) {
                    Thread.onSpinWait(); // never blocks, never checks
                }
            });
            started.await();
            assertTrue(stubborn.requestCancel());
            assertTrue(kernel.threads(ThreadQuery.all().stuck()).isEmpty(), "not stuck before the threshold");
            Thread.sleep(300); // let the threshold pass: time itself is what is tested
            var stuck = kernel.threads(ThreadQuery.all().stuck());
            assertEquals(1, stuck.size());
            ThreadInfo info = stuck.get(0);
            assertEquals("stubborn", info.name());
            assertTrue(info.stuck());
            assertEquals(ThreadInfo.State.CANCELLING, info.state());
            assertTrue(info.cancelPendingFor().toMillis() >= 100, info.cancelPendingFor().toString());
            assertEquals(1, kernel.stats().stuck());
            release.set(true);
            stubborn.await();
            assertEquals(Outcome.SUCCEEDED, stubborn.outcome());
        }
    }
}
