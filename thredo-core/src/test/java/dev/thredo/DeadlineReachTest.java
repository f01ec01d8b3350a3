package dev.thredo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * DESIGN.md §3.5 (rev. 2): a deadline that passes while the thread is in a JDK blocking call ends
 * that call, by interrupt or by the thread's cancel action, and the scope's exit turns the call's
 * failure into {@link ThreadTimeout} / {@link TimeoutCancelled}; the interrupt never leaks out of
 * its scope. Every case on virtual and on platform kernels.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DeadlineReachTest {
    private static final Duration SHORT = Duration.ofMillis(150);
    private static final long BLOCK_MS = 20_000;
    /** Generous bound for "the deadline ended the call promptly": far below {@link #BLOCK_MS}. */
    private static final long PROMPT_MS = 5_000;

    enum Kind {
        VIRTUAL, PLATFORM;

        Kernel kernel() {
            Kernel.Builder b = Kernel.builder().name("reach-" + name().toLowerCase());
            return (this == VIRTUAL ? b.virtualThreads() : b.platformThreads()).build();
        }
    }

    /** A JDK blocking call that lasts {@link #BLOCK_MS} unless something ends it. */
    interface Call {
        void block() throws Exception;
    }

    /** What blocks, and the JDK exception (in the timeout's cause chain) that shows how it was ended. */
    record Blocking(String name, Call call, Class<? extends Throwable> endedBy) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static Stream<Blocking> interruptibleCalls() {
        return Stream.of(
                new Blocking("Thread.sleep", () -> Thread.sleep(BLOCK_MS), InterruptedException.class),
                new Blocking("BlockingQueue.take", () -> new ArrayBlockingQueue<>(1).take(), InterruptedException.class),
                new Blocking("CountDownLatch.await", () -> new CountDownLatch(1).await(), InterruptedException.class),
                new Blocking("Object.wait", () -> {
                    Object monitor = new Object();
                    synchronized (monitor) {
                        monitor.wait(BLOCK_MS);
                    }
                }, InterruptedException.class),
                new Blocking("Process.waitFor", () -> {
                    Process p = new ProcessBuilder("sleep", String.valueOf(BLOCK_MS / 1000)).start();
                    try {
                        p.waitFor();
                    } finally {
                        p.destroyForcibly();
                    }
                }, InterruptedException.class),
                new Blocking("HttpClient.send", DeadlineReachTest::silentHttpServer, InterruptedException.class));
    }

    static Stream<Arguments> everyKindAndCall() {
        return Stream.of(Kind.values()).flatMap(k -> interruptibleCalls().map(c -> Arguments.of(k, c)));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("everyKindAndCall")
    void deadlineEndsJdkCall(Kind kind, Blocking call) throws Exception {
        try (Kernel k = kind.kernel()) {
            String verdict = k.run(() -> {
                long t0 = System.nanoTime();
                ThreadTimeout timeout = assertThrows(ThreadTimeout.class, () -> Thredo.timeoutAfter(SHORT, call.call()::block));
                long ms = (System.nanoTime() - t0) / 1_000_000;
                assertTrue(ms >= SHORT.toMillis() - 1 && ms < PROMPT_MS, call + " ended after " + ms + " ms");
                assertNotNull(causeOfType(timeout, call.endedBy()), "cause chain of " + timeout + " lacks " + call.endedBy());
                assertFalse(Thread.currentThread().isInterrupted(), "the deadline's interrupt leaked out of its scope");
                Thread.sleep(20); // and nothing arrives later either
                return "ok";
            });
            assertEquals("ok", verdict);
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("everyKindAndCall")
    void ignoreAfterSwallowsTheEndedCall(Kind kind, Blocking call) throws Exception {
        try (Kernel k = kind.kernel()) {
            assertEquals(Boolean.FALSE, k.run(() -> {
                boolean completed = Thredo.ignoreAfter(SHORT, call.call()::block);
                assertFalse(Thread.currentThread().isInterrupted());
                return completed;
            }));
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void innerScopeSeesTimeoutCancelledOuterThreadTimeout(Kind kind) throws Exception {
        try (Kernel k = kind.kernel()) {
            List<String> seen = k.run(() -> {
                List<String> r = new ArrayList<>();
                try {
                    Thredo.timeoutAfter(SHORT, () -> {
                        try {
                            Thredo.timeoutAfter(Duration.ofSeconds(30), () -> Thread.sleep(BLOCK_MS));
                        } catch (ThreadTimeout e) {
                            r.add("inner swallowed a ThreadTimeout");
                        } catch (TimeoutCancelled e) {
                            r.add("inner: TimeoutCancelled caused by " + e.getCause().getClass().getSimpleName());
                            throw e;
                        }
                    });
                } catch (ThreadTimeout e) {
                    r.add("outer: ThreadTimeout");
                }
                r.add("interrupted=" + Thread.currentThread().isInterrupted());
                return r;
            });
            assertEquals(List.of("inner: TimeoutCancelled caused by InterruptedException", "outer: ThreadTimeout",
                    "interrupted=false"), seen);
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void shieldHoldsTheDeadlineBackFromJdkCalls(Kind kind) throws Exception {
        try (Kernel k = kind.kernel()) {
            String r = k.run(() -> Thredo.timeoutAfter(Duration.ofMillis(50), () -> {
                long t0 = System.nanoTime();
                Thredo.shield(() -> Thread.sleep(300)); // the deadline passes in here: not interrupted
                String slept = "shielded sleep ran " + ((System.nanoTime() - t0) / 1_000_000 >= 300);
                try {
                    Thread.sleep(BLOCK_MS); // after the shield the expired deadline reaches JDK calls again
                    return slept + ", then slept on";
                } catch (InterruptedException e) {
                    return slept + ", then interrupted";
                }
            }));
            assertEquals("shielded sleep ran true, then interrupted", r);
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void deadlineInsideShieldBoundsCleanupOfCancelledThread(Kind kind) throws Exception {
        try (Kernel k = kind.kernel()) {
            String r = k.run(() -> {
                ThredoThread<String> child = Thredo.spawn(() -> {
                    try {
                        Thredo.sleep(Duration.ofSeconds(30));
                        return "not cancelled";
                    } catch (ThreadCancelled cancelled) {
                        try {
                            Thredo.shield(() -> Thredo.timeoutAfter(SHORT, () -> Thread.sleep(BLOCK_MS)));
                            return "cleanup slept on";
                        } catch (ThreadTimeout bounded) {
                            return "cleanup bounded by its own deadline";
                        }
                    }
                });
                Thredo.sleep(Duration.ofMillis(50));
                child.cancel();
                return child.resultNow();
            });
            assertEquals("cleanup bounded by its own deadline", r);
        }
    }

    /** Level-triggered: a scope that expired in a thredo wait still ends the JDK calls that follow inside it. */
    @ParameterizedTest
    @EnumSource(Kind.class)
    void expiredScopeStillEndsJdkCallsAfterAThredoWait(Kind kind) throws Exception {
        try (Kernel k = kind.kernel()) {
            String r = k.run(() -> {
                long t0 = System.nanoTime();
                ThreadTimeout t = assertThrows(ThreadTimeout.class, () -> Thredo.timeoutAfter(SHORT, () -> {
                    try {
                        Thredo.sleep(Duration.ofMillis(BLOCK_MS));
                    } catch (ThreadTimeout swallowed) {
                        // a retry loop's mistake: the scope stays expired
                    }
                    Thread.sleep(BLOCK_MS);
                }));
                long ms = (System.nanoTime() - t0) / 1_000_000;
                return t.getCause().getClass().getSimpleName() + ", prompt=" + (ms < PROMPT_MS) + ", interrupted="
                        + Thread.currentThread().isInterrupted();
            });
            assertEquals("InterruptedException, prompt=true, interrupted=false", r);
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void deadlinePassingWithoutBlockingIsDroppedAndLeavesNoInterrupt(Kind kind) throws Exception {
        try (Kernel k = kind.kernel()) {
            String r = k.run(() -> {
                String v = Thredo.timeoutAfter(Duration.ofMillis(20), () -> {
                    long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(200);
                    while (System.nanoTime() - end < 0) {
                        Thread.onSpinWait(); // the timer fires and interrupts meanwhile
                    }
                    return "returned";
                });
                return v + ", interrupted=" + Thread.currentThread().isInterrupted();
            });
            assertEquals("returned, interrupted=false", r);
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void cancellationWinsOverTheDeadline(Kind kind) throws Exception {
        try (Kernel k = kind.kernel()) {
            Outcome outcome = k.run(() -> {
                ThredoThread<Object> child = Thredo.spawn(() -> {
                    Thredo.timeoutAfter(Duration.ofMillis(300), () -> Thread.sleep(BLOCK_MS));
                    return null;
                });
                Thredo.sleep(Duration.ofMillis(50));
                child.cancel();
                assertInstanceOf(InterruptedException.class, child.exceptionNow(), "not converted to a timeout");
                return child.outcome();
            });
            assertEquals(Outcome.CANCELLED, outcome);
        }
    }

    /** On a virtual thread the interrupt ends a plain socket read (the JDK closes the socket). */
    @org.junit.jupiter.api.Test
    void deadlineEndsVirtualThreadSocketRead() throws Exception {
        try (Kernel k = Kind.VIRTUAL.kernel(); ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            String r = k.run(() -> {
                try (Socket s = new Socket(server.getInetAddress(), server.getLocalPort()); Socket peer = server.accept()) {
                    InputStream in = s.getInputStream();
                    ThreadTimeout t = assertThrows(ThreadTimeout.class, () -> Thredo.timeoutAfter(SHORT, () -> in.read()));
                    return "timed out, cause " + t.getCause().getClass().getSimpleName() + ", socket closed=" + s.isClosed()
                            + ", interrupted=" + Thread.currentThread().isInterrupted();
                }
            });
            assertEquals("timed out, cause SocketException, socket closed=true, interrupted=false", r);
        }
    }

    /** A platform thread's socket read ignores interrupts: a cancel action (closing the socket) ends it. */
    @ParameterizedTest
    @EnumSource(Kind.class)
    void cancelActionEndsSocketReadAtTheDeadline(Kind kind) throws Exception {
        try (Kernel k = kind.kernel(); ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            String r = k.run(() -> {
                try (Socket s = new Socket(server.getInetAddress(), server.getLocalPort()); Socket peer = server.accept()) {
                    InputStream in = s.getInputStream();
                    ThreadTimeout t = assertThrows(ThreadTimeout.class, () -> Thredo.timeoutAfter(SHORT, () -> {
                        try (CancelAction onCancel = Thredo.onCancel(s::close)) {
                            return in.read();
                        }
                    }));
                    return "timed out, cause " + t.getCause().getClass().getSimpleName() + ", interrupted="
                            + Thread.currentThread().isInterrupted();
                }
            });
            assertEquals("timed out, cause SocketException, interrupted=false", r);
        }
    }

    private static Throwable causeOfType(Throwable t, Class<? extends Throwable> type) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (type.isInstance(c)) {
                return c;
            }
        }
        return null;
    }

    /** {@code HttpClient.send} to a loopback server that accepts and never answers. */
    private static void silentHttpServer() throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.getLocalPort() + "/"))
                    .timeout(Duration.ofMillis(BLOCK_MS)).build();
            client.send(request, HttpResponse.BodyHandlers.discarding());
        } finally {
            client.shutdownNow(); // close() would wait for the abandoned exchange
        }
    }
}
