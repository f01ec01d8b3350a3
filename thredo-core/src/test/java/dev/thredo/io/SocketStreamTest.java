package dev.thredo.io;

import static dev.thredo.testing.KernelPolling.awaitInFrame;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.thredo.Event;
import dev.thredo.Kernel;
import dev.thredo.Outcome;
import dev.thredo.ThreadCancelled;
import dev.thredo.ThreadTimeout;
import dev.thredo.Thredo;
import dev.thredo.ThredoThread;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.AsynchronousCloseException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * thredo's {@code test_io} over real loopback sockets, plus cancellation of every kind of wait, on a
 * virtual-thread kernel and on a platform-thread kernel.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class SocketStreamTest {
    /** Long enough for data already sent over loopback to have arrived before a read times out. */
    private static final Duration READ_TIMEOUT = Duration.ofMillis(500);
    /** Any deadline will do where nothing more will arrive, or a write is bound to block. */
    private static final Duration SHORT_TIMEOUT = Duration.ofMillis(200);
    /** Generous: a cancelled wait ends within milliseconds; this only catches one that does not end. */
    private static final long PROMPT_NANOS = Duration.ofSeconds(5).toNanos();
    /** Far more than loopback socket buffers hold, so a write of it blocks. */
    private static final int BIG = 10_000_000;

    /** The kind of thread a test's thredo threads run on. */
    enum Threads {
        VIRTUAL, PLATFORM;

        /** Runs {@code main} as the main thredo thread of a kernel of this kind. */
        void run(Main main) throws Exception {
            if (this == VIRTUAL) {
                Thredo.run(() -> main.runOn(true));
            } else {
                try (Kernel kernel = Kernel.builder().platformThreads().build()) {
                    kernel.run(() -> main.runOn(false));
                }
            }
        }
    }

    @FunctionalInterface
    interface Main {
        void run() throws Exception;

        private Void runOn(boolean virtual) throws Exception {
            assertEquals(virtual, Thread.currentThread().isVirtual());
            run();
            return null;
        }
    }

    /** Both ends of one loopback connection. */
    record Connection(ThredoSocket client, ThredoSocket server) implements AutoCloseable {
        static Connection open() throws IOException {
            try (ThredoServerSocket listener = listen()) {
                ThredoSocket client = ThredoSocket.connect(listener.localAddress());
                return new Connection(client, listener.accept());
            }
        }

        @Override
        public void close() throws IOException {
            try (client; server) {
                // closes both
            }
        }
    }

    private static ThredoServerSocket listen() throws IOException {
        return ThredoServerSocket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String str(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    private static List<String> strs(List<byte[]> lines) {
        return lines.stream().map(SocketStreamTest::str).toList();
    }

    private static PartialProgress progress(Throwable e) {
        return PartialProgress.of(e).orElseThrow(() -> new AssertionError("no PartialProgress on " + e, e));
    }

    /** The frame of every thredo socket wait (a platform thread polls in it RUNNABLE). */
    private static final String SOCKET_WAIT = Readiness.class.getName() + ".await";

    private static void awaitSocketWait(ThredoThread<?> t) {
        awaitInFrame(t.thread(), SOCKET_WAIT);
    }

    /** Cancels {@code t}, waits for it, and checks that it ended CANCELLED promptly. */
    private static void assertCancelsPromptly(ThredoThread<?> t) {
        long start = System.nanoTime();
        t.cancel();
        long took = System.nanoTime() - start;
        assertEquals(Outcome.CANCELLED, t.outcome(), () -> "ended with " + t.exceptionNow());
        assertTrue(took < PROMPT_NANOS, "cancel took " + Duration.ofNanos(took));
    }

    // ---- thredo's test_io ----

    /** thredo's {@code test_read_partial}. */
    @ParameterizedTest(name = "{0}")
    @EnumSource(Threads.class)
    void readLineThenReadReturnTheRestOfTheBuffer(Threads threads) throws Exception {
        threads.run(() -> {
            try (Connection c = Connection.open()) {
                c.client().stream().write(bytes("hello\nworld\n"));
                SocketStream s = c.server().stream();
                assertEquals("hello\n", str(s.readLine()));
                assertEquals("wo", str(s.read(2)));
                assertEquals("rld\n", str(s.read(1000)));
            }
        });
    }

    /** thredo's {@code test_readall}. */
    @ParameterizedTest(name = "{0}")
    @EnumSource(Threads.class)
    void readAllGathersPacedWritesUntilTheEnd(Threads threads) throws Exception {
        threads.run(() -> {
            try (ThredoServerSocket listener = listen()) {
                ThredoThread<byte[]> server = Thredo.spawn("server", () -> {
                    try (ThredoSocket peer = listener.accept(); SocketStream s = peer.stream()) {
                        return s.readAll();
                    }
                });
                try (SocketStream s = ThredoSocket.connect("localhost", listener.localAddress().getPort()).stream()) {
                    for (String msg : List.of("Msg1\n", "Msg2\n", "Msg3\n")) {
                        s.write(bytes(msg));
                        Thredo.sleep(Duration.ofMillis(100));
                    }
                }
                assertEquals("Msg1\nMsg2\nMsg3\n", str(server.join()));
            }
        });
    }

    /** thredo's {@code test_readall_partial}. */
    @ParameterizedTest(name = "{0}")
    @EnumSource(Threads.class)
    void readAllAfterReadLineReturnsTheRest(Threads threads) throws Exception {
        threads.run(() -> {
            try (Connection c = Connection.open()) {
                c.client().stream().write(bytes("hello\nworld\n"));
                c.client().close();
                SocketStream s = c.server().stream();
                assertEquals("hello\n", str(s.readLine()));
                assertEquals("world\n", str(s.readAll()));
            }
        });
    }

    /** thredo's {@code test_readall_timeout}. */
    @ParameterizedTest(name = "{0}")
    @EnumSource(Threads.class)
    void readAllTimeoutCarriesTheBytesRead(Threads threads) throws Exception {
        threads.run(() -> {
            try (Connection c = Connection.open()) {
                c.client().stream().write(bytes("Msg1\n")); // and nothing more
                SocketStream s = c.server().stream();
                ThreadTimeout e = assertThrows(ThreadTimeout.class, () -> Thredo.timeoutAfter(READ_TIMEOUT, s::readAll));
                assertEquals("Msg1\n", str(progress(e).bytesRead()));
            }
        });
    }

    /** thredo's {@code test_read_exactly}. */
    @ParameterizedTest(name = "{0}")
    @EnumSource(Threads.class)
    void readExactlyReturnsExactlyTheBytesAskedFor(Threads threads) throws Exception {
        threads.run(() -> {
            try (Connection c = Connection.open()) {
                c.client().stream().write(bytes("Msg1\nMsg2\nMsg3\n"));
                SocketStream s = c.server().stream();
                for (String msg : List.of("Msg1\n", "Msg2\n", "Msg3\n")) {
                    assertEquals(msg, str(s.readExactly(5)));
                }
            }
        });
    }

    /** thredo's {@code test_read_exactly_incomplete}. */
    @ParameterizedTest(name = "{0}")
    @EnumSource(Threads.class)
    void readExactlyAtTheEndThrowsEofExceptionCarryingTheBytesRead(Threads threads) throws Exception {
        threads.run(() -> {
            try (Connection c = Connection.open()) {
                c.client().stream().write(bytes("Msg1\nMsg2\nMsg3\n"));
                c.client().close();
                EOFException e = assertThrows(EOFException.class, () -> c.server().stream().readExactly(100));
                assertEquals("Msg1\nMsg2\nMsg3\n", str(progress(e).bytesRead()));
            }
        });
    }

    /** thredo's {@code test_read_exactly_timeout}. */
    @ParameterizedTest(name = "{0}")
    @EnumSource(Threads.class)
    void readExactlyTimeoutCarriesTheBytesRead(Threads threads) throws Exception {
        threads.run(() -> {
            try (Connection c = Connection.open()) {
                c.client().stream().write(bytes("Msg1\n")); // and nothing more
                SocketStream s = c.server().stream();
                ThreadTimeout e = assertThrows(ThreadTimeout.class,
                        () -> Thredo.timeoutAfter(READ_TIMEOUT, () -> s.readExactly(10)));
                assertEquals("Msg1\n", str(progress(e).bytesRead()));
            }
        });
    }

    /** thredo's {@code test_readline}. */
    @ParameterizedTest(name = "{0}")
    @EnumSource(Threads.class)
    void readLineReturnsOneLineAtATime(Threads threads) throws Exception {
        threads.run(() -> {
            try (Connection c = Connection.open()) {
                c.client().stream().write(bytes("Msg1\nMsg2\nMsg3\n"));
                SocketStream s = c.server().stream();
                for (String msg : List.of("Msg1\n", "Msg2\n", "Msg3\n")) {
                    assertEquals(msg, str(s.readLine()));
                }
            }
        });
    }

    /** thredo's {@code test_readlines}. */
    @ParameterizedTest(name = "{0}")
    @EnumSource(Threads.class)
    void readLinesReadsEveryLineUntilTheEnd(Threads threads) throws Exception {
        threads.run(() -> {
            try (Connection c = Connection.open()) {
                c.client().stream().write(bytes("Msg1\nMsg2\nMsg3\n"));
                c.client().close();
                assertEquals(List.of("Msg1\n", "Msg2\n", "Msg3\n"), strs(c.server().stream().readLines()));
            }
        });
    }

    /** thredo's {@code test_readlines_timeout}. */
    @ParameterizedTest(name = "{0}")
    @EnumSource(Threads.class)
    void readLinesTimeoutCarriesTheLinesRead(Threads threads) throws Exception {
        threads.run(() -> {
            try (Connection c = Connection.open()) {
                c.client().stream().write(bytes("Msg1\nMsg2\n")); // and nothing more
                SocketStream s = c.server().stream();
                ThreadTimeout e = assertThrows(ThreadTimeout.class, () -> Thredo.timeoutAfter(READ_TIMEOUT, s::readLines));
                assertEquals(List.of("Msg1\n", "Msg2\n"), strs(progress(e).linesRead()));
            }
        });
    }

    /** thredo's {@code test_writelines}. */
    @ParameterizedTest(name = "{0}")
    @EnumSource(Threads.class)
    void writeLinesDeliversEveryLineIntact(Threads threads) throws Exception {
        threads.run(() -> {
            try (Connection c = Connection.open()) {
                c.client().stream().writeLines(List.of(bytes("Msg1\n"), bytes("Msg2\n"), bytes("Msg3\n")));
                c.client().close();
                assertEquals("Msg1\nMsg2\nMsg3\n", str(c.server().stream().readAll()));
            }
        });
    }

    /** thredo's {@code test_writelines_timeout}. */
    @ParameterizedTest(name = "{0}")
    @EnumSource(Threads.class)
    void writeLinesTimeoutReportsExactlyTheBytesThePeerReceives(Threads threads) throws Exception {
        threads.run(() -> {
            try (Connection c = Connection.open()) {
                Iterable<byte[]> endless = () -> Stream.iterate(0, n -> n + 1).map(n -> bytes("Msg" + n + "\n")).iterator();
                SocketStream s = c.client().stream();
                ThreadTimeout e = assertThrows(ThreadTimeout.class,
                        () -> Thredo.timeoutAfter(SHORT_TIMEOUT, () -> s.writeLines(endless)));
                c.client().close();
                byte[] received = c.server().stream().readAll();
                assertEquals(progress(e).bytesWritten(), received.length);
                assertTrue(str(received).startsWith("Msg0\nMsg1\n"));
            }
        });
    }

    /** thredo's {@code test_write_timeout}. */
    @ParameterizedTest(name = "{0}")
    @EnumSource(Threads.class)
    void writeTimeoutReportsExactlyTheBytesThePeerReceives(Threads threads) throws Exception {
        threads.run(() -> {
            try (Connection c = Connection.open()) {
                SocketStream s = c.client().stream();
                ThreadTimeout e = assertThrows(ThreadTimeout.class,
                        () -> Thredo.timeoutAfter(SHORT_TIMEOUT, () -> s.write(new byte[BIG])));
                c.client().close();
                long written = progress(e).bytesWritten();
                assertTrue(written > 0 && written < BIG, "written " + written);
                assertEquals(written, c.server().stream().readAll().length);
            }
        });
    }

    /** thredo's {@code test_iterline}. */
    @ParameterizedTest(name = "{0}")
    @EnumSource(Threads.class)
    void linesIteratesOverEveryLine(Threads threads) throws Exception {
        threads.run(() -> {
            try (Connection c = Connection.open()) {
                c.client().stream().write(bytes("Msg1\nMsg2\nMsg3\n"));
                c.client().close();
                List<String> lines = new ArrayList<>();
                for (byte[] line : c.server().stream().lines()) {
                    lines.add(str(line));
                }
                assertEquals(List.of("Msg1\n", "Msg2\n", "Msg3\n"), lines);
            }
        });
    }

    /** thredo's {@code test_sendall_cancel}. */
    @ParameterizedTest(name = "{0}")
    @EnumSource(Threads.class)
    void cancelledWriteReportsExactlyTheBytesThePeerReceives(Threads threads) throws Exception {
        threads.run(() -> {
            try (Connection c = Connection.open()) {
                ThredoThread<Long> writer = Thredo.spawn("writer", () -> {
                    try (ThredoSocket socket = c.client()) {
                        socket.stream().write(new byte[BIG]);
                        return -1L;
                    } catch (ThreadCancelled e) {
                        return progress(e).bytesWritten();
                    }
                });
                awaitSocketWait(writer);
                writer.cancel();
                long written = writer.join();
                assertTrue(written > 0 && written < BIG, "written " + written);
                assertEquals(written, c.server().stream().readAll().length);
            }
        });
    }

    // ---- cancellation of every wait ----

    @ParameterizedTest(name = "{0}")
    @EnumSource(Threads.class)
    void cancelEndsAReadWaitingForData(Threads threads) throws Exception {
        threads.run(() -> {
            try (Connection c = Connection.open()) {
                ThredoThread<byte[]> reader = Thredo.spawn("reader", () -> c.server().stream().read(100));
                awaitSocketWait(reader);
                assertCancelsPromptly(reader);
            }
        });
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Threads.class)
    void cancelEndsAnAcceptWaitingForAConnection(Threads threads) throws Exception {
        threads.run(() -> {
            try (ThredoServerSocket listener = listen()) {
                ThredoThread<ThredoSocket> acceptor = Thredo.spawn("acceptor", listener::accept);
                awaitSocketWait(acceptor);
                assertCancelsPromptly(acceptor);
            }
        });
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Threads.class)
    void cancelEndsAConnectWaitingOnAFullBacklog(Threads threads) throws Exception {
        threads.run(() -> {
            List<ThredoSocket> queued = new ArrayList<>();
            try (ThredoServerSocket listener = ThredoServerSocket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1)) {
                InetSocketAddress address = listener.localAddress();
                // Fill the accept queue (nobody accepts): the first connect that cannot finish shows it is full.
                for (Optional<ThredoSocket> s; (s = Thredo.ignoreAfter(Duration.ofSeconds(1), () -> ThredoSocket.connect(address))).isPresent(); ) {
                    queued.add(s.get());
                    assertTrue(queued.size() < 100, "the backlog never filled");
                }
                ThredoThread<ThredoSocket> connector = Thredo.spawn("connector", () -> ThredoSocket.connect(address));
                awaitSocketWait(connector);
                assertCancelsPromptly(connector);
            } finally {
                for (ThredoSocket s : queued) {
                    s.close();
                }
            }
        });
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Threads.class)
    void cancelDuringNameLookupAbandonsTheLookup(Threads threads) throws Exception {
        threads.run(() -> {
            Event lookupStarted = new Event();
            CountDownLatch release = new CountDownLatch(1);
            CountDownLatch lookupEnded = new CountDownLatch(1);
            NameLookup.Resolver stuck = host -> {
                try {
                    lookupStarted.set();
                    release.await(); // as uninterruptible as the JDK's resolver, for all the caller can tell
                    return InetAddress.getAllByName(host);
                } catch (InterruptedException e) {
                    throw new AssertionError("nobody interrupts an abandoned lookup", e);
                } finally {
                    lookupEnded.countDown();
                }
            };
            ThredoThread<ThredoSocket> connector = Thredo.spawn("connector", () -> ThredoSocket.connect("localhost", 1, stuck));
            lookupStarted.await();
            assertCancelsPromptly(connector);
            assertEquals(1, lookupEnded.getCount(), "the lookup is still running, abandoned");
            release.countDown();
            lookupEnded.await();
        });
    }

    // ---- nothing is lost ----

    @ParameterizedTest(name = "{0}")
    @EnumSource(Threads.class)
    void timedOutReadLineKeepsThePartialLineForTheNextRead(Threads threads) throws Exception {
        threads.run(() -> {
            try (Connection c = Connection.open()) {
                SocketStream out = c.client().stream();
                SocketStream in = c.server().stream();
                out.write(bytes("hel"));
                ThreadTimeout e = assertThrows(ThreadTimeout.class, () -> Thredo.timeoutAfter(READ_TIMEOUT, in::readLine));
                assertEquals(Optional.empty(), PartialProgress.of(e), "readLine consumed nothing");
                out.write(bytes("lo\n"));
                assertEquals("hello\n", str(in.readLine()));
            }
        });
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Threads.class)
    void aShieldedReadRidesOutAnInterrupt(Threads threads) throws Exception {
        threads.run(() -> {
            try (Connection c = Connection.open()) {
                AtomicReference<String> read = new AtomicReference<>();
                ThredoThread<Object> reader = Thredo.spawn("reader", () -> {
                    read.set(str(Thredo.shield(() -> c.server().stream().readLine())));
                    Thredo.checkCancellation(); // the cancellation held back by the shield arrives here
                    return null;
                });
                awaitSocketWait(reader);
                reader.thread().interrupt(); // a cancellation request, held back by the shield
                c.client().stream().write(bytes("still here\n"));
                reader.await();
                assertEquals("still here\n", read.get());
                assertEquals(Outcome.CANCELLED, reader.outcome());
            }
        });
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Threads.class)
    void readsRacingTheirDeadlinesLoseAndDuplicateNothing(Threads threads) throws Exception {
        threads.run(() -> {
            byte[] sent = bytes(Stream.iterate(0, n -> n + 1).limit(300_000).map(n -> n + "\n").collect(Collectors.joining()));
            try (Connection c = Connection.open()) {
                ThredoThread<Object> writer = Thredo.spawn("writer", () -> {
                    Random rnd = new Random(1);
                    try (ThredoSocket out = c.client()) {
                        for (int off = 0, n; off < sent.length; off += n) {
                            n = Math.min(1 + rnd.nextInt(3000), sent.length - off);
                            out.stream().write(sent, off, n);
                            Thredo.sleep(Duration.ofNanos(rnd.nextInt(100_000))); // paced, so that reads wait
                        }
                    }
                    return null;
                });
                SocketStream in = c.server().stream();
                ByteArrayOutputStream got = new ByteArrayOutputStream();
                Random rnd = new Random(2);
                int timeouts = 0;
                for (boolean end = false; !end; ) {
                    int op = rnd.nextInt(5);
                    int n = 1 + rnd.nextInt(5000);
                    try {
                        byte[] b = Thredo.timeoutAfter(Duration.ofNanos(rnd.nextInt(300_000)), () -> switch (op) {
                            case 0 -> in.read(n);
                            case 1 -> in.readLine();
                            case 2 -> in.readExactly(n);
                            case 3 -> concat(in.readLines());
                            default -> in.readAll();
                        });
                        got.write(b);
                        end = b.length == 0 || op >= 3;
                    } catch (ThreadTimeout e) {
                        timeouts++;
                        PartialProgress.of(e).ifPresent(p -> got.writeBytes(taken(p)));
                    } catch (EOFException e) {
                        got.write(taken(progress(e)));
                        end = true;
                    }
                }
                assertArrayEquals(sent, got.toByteArray());
                assertTrue(timeouts > 0, "no read ever timed out: the test did not test anything");
                writer.join();
            }
        });
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Threads.class)
    void writesRacingTheirDeadlinesReportExactlyWhatThePeerReceives(Threads threads) throws Exception {
        threads.run(() -> {
            try (Connection c = Connection.open()) {
                ThredoThread<byte[]> reader = Thredo.spawn("reader", () -> {
                    ByteArrayOutputStream got = new ByteArrayOutputStream();
                    for (byte[] b; (b = c.server().stream().read(64 * 1024)).length > 0; ) {
                        got.write(b);
                        Thredo.sleep(Duration.ofNanos(50_000)); // slower than the writer, so that writes wait
                    }
                    return got.toByteArray();
                });
                SocketStream out = c.client().stream();
                ByteArrayOutputStream expected = new ByteArrayOutputStream();
                Random rnd = new Random(3);
                int timeouts = 0;
                // On a loaded machine the reader may keep up for a while: go on (bounded) until some write timed out.
                for (int i = 0; i < 100 || (timeouts == 0 && i < 1_000); i++) {
                    byte[] chunk = new byte[1 + rnd.nextInt(200_000)];
                    rnd.nextBytes(chunk);
                    List<byte[]> halves = List.of(Arrays.copyOf(chunk, chunk.length / 2), Arrays.copyOfRange(chunk, chunk.length / 2, chunk.length));
                    boolean asLines = rnd.nextBoolean();
                    try {
                        // One deadline in four is tiny: a chunk larger than the socket buffers then cannot make it.
                        long limit = rnd.nextInt(4) == 0 ? rnd.nextInt(50_000) : rnd.nextInt(2_000_000);
                        Thredo.timeoutAfter(Duration.ofNanos(limit), () -> {
                            if (asLines) {
                                out.writeLines(halves);
                            } else {
                                out.write(chunk);
                            }
                        });
                        expected.write(chunk);
                    } catch (ThreadTimeout e) {
                        timeouts++;
                        expected.write(chunk, 0, Math.toIntExact(progress(e).bytesWritten()));
                    }
                }
                c.client().close();
                assertArrayEquals(expected.toByteArray(), reader.join());
                assertTrue(timeouts > 0, "no write ever timed out: the test did not test anything");
            }
        });
    }

    private static byte[] concat(List<byte[]> parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        parts.forEach(out::writeBytes);
        return out.toByteArray();
    }

    /** What a read operation took from the socket before it ended: its bytes, or its lines. */
    private static byte[] taken(PartialProgress p) {
        return p.linesRead().isEmpty() ? p.bytesRead() : concat(p.linesRead());
    }

    @Test
    void aShieldedWaitDoesNotSpinOnAHeldBackInterrupt() throws Exception {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        assumeTrue(mx.isThreadCpuTimeSupported() && mx.isThreadCpuTimeEnabled(), "no thread CPU time here");
        try (Kernel kernel = Kernel.builder().platformThreads().build()) { // CPU time is measured for platform threads only
            kernel.run(() -> {
                try (Connection c = Connection.open()) {
                    ThredoThread<byte[]> reader = Thredo.spawn("reader", () -> Thredo.shield(() -> c.server().stream().readLine()));
                    awaitSocketWait(reader);
                    reader.thread().interrupt(); // a set interrupt flag makes select return at once
                    long before = mx.getThreadCpuTime(reader.thread().threadId());
                    Thredo.sleep(Duration.ofMillis(300)); // a window to measure in, not synchronization
                    long busy = mx.getThreadCpuTime(reader.thread().threadId()) - before;
                    assertTrue(busy < Duration.ofMillis(100).toNanos(), "the waiting reader used " + Duration.ofNanos(busy) + " of CPU");
                    c.client().stream().write(bytes("done\n"));
                    assertEquals("done\n", str(reader.join()));
                }
                return null;
            });
        }
    }

    // ---- closing, concurrency, connecting ----

    @ParameterizedTest(name = "{0}")
    @EnumSource(Threads.class)
    void closeByAnotherThreadEndsAWaitingRead(Threads threads) throws Exception {
        threads.run(() -> {
            try (Connection c = Connection.open()) {
                ThredoThread<Throwable> reader = Thredo.spawn("reader",
                        () -> assertThrows(AsynchronousCloseException.class, () -> c.server().stream().readLine()));
                awaitSocketWait(reader);
                c.server().close();
                assertEquals(AsynchronousCloseException.class, reader.join().getClass());
            }
        });
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Threads.class)
    void aSecondConcurrentReaderIsRejected(Threads threads) throws Exception {
        threads.run(() -> {
            try (Connection c = Connection.open()) {
                SocketStream s = c.server().stream();
                ThredoThread<byte[]> reader = Thredo.spawn("reader", s::readLine);
                awaitSocketWait(reader);
                assertThrows(IllegalStateException.class, () -> s.read(1));
                c.client().stream().write(bytes("first\n"));
                assertEquals("first\n", str(reader.join()));
            }
        });
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Threads.class)
    void inputStreamViewReadsThroughTheSameBuffer(Threads threads) throws Exception {
        threads.run(() -> {
            try (Connection c = Connection.open()) {
                c.client().stream().outputStream().write(bytes("hello\nworld\n"));
                c.client().close();
                SocketStream s = c.server().stream();
                assertEquals("hello\n", str(s.readLine()));
                assertEquals("world\n", str(s.inputStream().readAllBytes()));
            }
        });
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Threads.class)
    void connectTriesTheNextAddressWhenOneFails(Threads threads) throws Exception {
        threads.run(() -> {
            try (ThredoServerSocket listener = listen()) {
                int port = listener.localAddress().getPort();
                InetAddress refusing = InetAddress.getByName("::1"); // the listener is on IPv4 loopback only
                NameLookup.Resolver twoAddresses = host -> new InetAddress[] {refusing, InetAddress.getLoopbackAddress()};
                try (ThredoSocket s = ThredoSocket.connect("either", port, twoAddresses); ThredoSocket peer = listener.accept()) {
                    assertEquals(peer.localAddress(), s.remoteAddress());
                }
            }
        });
    }

    @Test
    void interruptEndsAReadOutsideAThredoThread() throws Exception {
        try (Connection c = Connection.open()) {
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread plain = Thread.ofPlatform().start(() -> {
                try {
                    c.server().stream().read(1);
                } catch (Throwable t) {
                    failure.set(t);
                }
            });
            awaitInFrame(plain, SOCKET_WAIT);
            plain.interrupt();
            plain.join();
            assertEquals(ThreadCancelled.class, failure.get().getClass());
            c.client().stream().write(bytes("x"));
            assertEquals("x", str(c.server().stream().read(1)), "the socket is still open and lost nothing");
        }
    }
}
