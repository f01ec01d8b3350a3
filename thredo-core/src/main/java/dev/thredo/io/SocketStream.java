package dev.thredo.io;

import dev.thredo.ThreadCancelled;
import dev.thredo.ThreadTimeout;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The byte stream of a {@link ThredoSocket}, buffered for reading: thredo's {@code SocketStream}.
 * Get it with {@link ThredoSocket#stream()}; closing it closes the socket.
 *
 * <h2>Blocking, cancellation and timeouts</h2>
 * Every operation first does what it can without waiting; it waits only when the socket has no data
 * for it (reads) or no room (writes), and only a wait is a delivery point. A thread that is cancelled
 * while it waits (or before) gets {@link ThreadCancelled}; one whose {@code Thredo.timeoutAfter}
 * deadline passes gets {@link ThreadTimeout} at the deadline. This holds on virtual and on platform
 * threads alike: the stream never relies on interrupting a blocked socket call, which platform
 * threads ignore and which would close the socket. So a cancellation or timeout leaves the socket
 * open and the stream usable: after a timeout the next read continues where the stream is (a
 * cancelled thread's waits keep throwing, as cancellation is level-triggered, except inside
 * {@code Thredo.shield}). Outside a thredo thread an interrupt
 * ends a wait with {@code ThreadCancelled}. Another thread {@linkplain #close() closing} the stream
 * ends a wait with {@link AsynchronousCloseException}.
 *
 * <h2>Nothing is lost: the partial-progress rule</h2>
 * Every byte taken from the socket is returned by the operation, or carried by its exception as
 * {@link PartialProgress}, or still buffered for the next read; exactly one of the three.
 * <ul>
 * <li>{@link #read(int)}, {@link #read(byte[], int, int)}, {@link #readLine()} and {@link #lines()}
 *     either return data or consume nothing: a part of a line read before a cancellation stays
 *     buffered and is returned by the next read.</li>
 * <li>{@link #readAll()} and {@link #readExactly(int)} attach the bytes they took
 *     ({@link PartialProgress#bytesRead()}); {@link #readLines()} attaches the complete lines
 *     ({@link PartialProgress#linesRead()}) and leaves a partial line buffered.</li>
 * <li>{@link #write(byte[])} and {@link #writeLines(Iterable)} attach exactly how many bytes they
 *     handed to the socket ({@link PartialProgress#bytesWritten()}): the peer receives those bytes
 *     (as long as the connection holds) and no others.</li>
 * </ul>
 * The attached progress is found with {@link PartialProgress#of(Throwable)}; it is attached to
 * whatever ends the operation: a cancellation or timeout, the {@link EOFException} of
 * {@code readExactly}, or another {@link IOException}.
 *
 * <h2>Lines</h2>
 * A line is the bytes up to and including {@code '\n'} (any {@code '\r'} before it is kept); the last
 * line of a stream may lack the {@code '\n'}. Decode with the charset of your protocol, e.g.
 * {@code new String(line, StandardCharsets.UTF_8)}. {@link #writeLines(Iterable)} writes each item as
 * given and adds nothing, so {@code out.writeLines(in.readLines())} copies a stream exactly.
 *
 * <h2>Threads</h2>
 * One thread may read while another writes. A second thread that reads while a read is in progress
 * (or writes while a write is) gets {@link IllegalStateException} instead of interleaved data.
 *
 * <p>Writes are not buffered: a write returns once every byte has been handed to the socket, so
 * {@link #flush()} has nothing to do.
 */
public final class SocketStream implements Closeable {
    private static final byte[] EMPTY = {};
    private static final int INITIAL_BUFFER = 8192;

    private final ThredoSocket socket;
    private final SocketChannel channel;
    private final Readiness readiness;
    private final AtomicBoolean reading = new AtomicBoolean();
    private final AtomicBoolean writing = new AtomicBoolean();

    // The reader's buffer: buf[start, end) was read from the socket and not yet returned; the first
    // `scanned` of those bytes hold no '\n'. Touched only inside reading(...).
    private byte[] buf = new byte[INITIAL_BUFFER];
    private int start;
    private int end;
    private int scanned;

    // Bytes handed to the socket by the write in progress. Touched only inside writing(...).
    private long written;

    SocketStream(ThredoSocket socket, SocketChannel channel, Readiness readiness) {
        this.socket = socket;
        this.channel = channel;
        this.readiness = readiness;
    }

    // ---- reading ----

    /**
     * Reads up to {@code maxBytes}: what is buffered, or else what one read from the socket brings,
     * waiting until something arrives.
     *
     * @param maxBytes the most bytes to return, at least 1; fewer come back if fewer are at hand
     * @return at least one byte, or an empty array at the end of the stream
     * @throws IllegalArgumentException if {@code maxBytes < 1}
     * @throws ThreadCancelled if cancelled or timed out while waiting; nothing was consumed
     * @throws IOException if the connection fails or the stream is closed
     */
    public byte[] read(int maxBytes) throws IOException {
        if (maxBytes < 1) {
            throw new IllegalArgumentException("maxBytes must be positive: " + maxBytes);
        }
        return reading(() -> start < end || fill() ? take(Math.min(maxBytes, end - start)) : EMPTY);
    }

    /**
     * Reads up to {@code len} bytes into {@code b} at {@code off}, as {@link #read(int)} does.
     *
     * @param b the array to read into
     * @param off where in {@code b} the first byte goes
     * @param len the most bytes to read
     * @return the number of bytes read, at least one; 0 only if {@code len} is 0; -1 at the end of the stream
     * @throws IndexOutOfBoundsException if {@code off} and {@code len} do not lie within {@code b}
     * @throws ThreadCancelled if cancelled or timed out while waiting; nothing was consumed
     * @throws IOException if the connection fails or the stream is closed
     */
    public int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) {
            return 0;
        }
        return reading(() -> {
            if (start == end && !fill()) {
                return -1;
            }
            int n = Math.min(len, end - start);
            System.arraycopy(buf, start, b, off, n);
            consume(n);
            return n;
        });
    }

    /**
     * Reads one line, with its {@code '\n'}; at the end of the stream, what is left (possibly
     * nothing) without one.
     *
     * @return the line; empty only at the end of the stream
     * @throws ThreadCancelled if cancelled or timed out while waiting; the part of the line read so
     *     far stays buffered
     * @throws IOException if the connection fails or the stream is closed
     */
    public byte[] readLine() throws IOException {
        return readLineUpTo(Integer.MAX_VALUE);
    }

    /**
     * As {@link #readLine()}, but returns at most {@code maxBytes}: a longer line comes back in parts,
     * all but the last without {@code '\n'}. Bounds the memory a peer can make the stream buffer.
     * (Not an overload of {@code readLine}, so that {@code stream::readLine} stays a plain body for
     * {@code Thredo.timeoutAfter}.)
     *
     * @param maxBytes the longest part of a line to return, at least 1
     * @return the line, or its next {@code maxBytes} bytes if it is longer; empty only at the end of
     *     the stream
     * @throws IllegalArgumentException if {@code maxBytes < 1}
     * @throws ThreadCancelled if cancelled or timed out while waiting; the part of the line read so
     *     far stays buffered
     * @throws IOException if the connection fails or the stream is closed
     */
    public byte[] readLineUpTo(int maxBytes) throws IOException {
        if (maxBytes < 1) {
            throw new IllegalArgumentException("maxBytes must be positive: " + maxBytes);
        }
        return reading(() -> nextLine(maxBytes));
    }

    /**
     * Reads every line up to the end of the stream.
     *
     * @return the lines in order, each with its {@code '\n'} (the last one possibly without); empty
     *     if the stream had ended
     * @throws ThreadCancelled if cancelled or timed out while waiting, carrying the complete lines
     *     read so far as {@link PartialProgress#linesRead()}; a partial line stays buffered
     * @throws IOException if the connection fails, carrying the lines read so far likewise
     */
    public List<byte[]> readLines() throws IOException {
        return reading(() -> {
            List<byte[]> lines = new ArrayList<>();
            try {
                for (byte[] line; (line = nextLine(Integer.MAX_VALUE)).length > 0; ) {
                    lines.add(line);
                }
                return lines;
            } catch (ThreadCancelled | IOException e) {
                e.addSuppressed(PartialProgress.lines(lines));
                throw e;
            }
        });
    }

    /**
     * The lines of the stream, read lazily as the iteration advances, until the end of the stream:
     * {@code for (byte[] line : stream.lines())}. Each iterator continues where the stream is.
     * {@code hasNext()} waits as {@link #readLine()} does and throws what it throws, an
     * {@link IOException} wrapped in {@link UncheckedIOException}.
     *
     * @return a view whose iterators all read from this stream; iterate it from one thread at a time
     */
    public Iterable<byte[]> lines() {
        return () -> new Iterator<>() {
            private byte[] next;

            @Override
            public boolean hasNext() {
                if (next == null) {
                    try {
                        next = readLine();
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
                return next.length > 0;
            }

            @Override
            public byte[] next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                byte[] line = next;
                next = null;
                return line;
            }
        };
    }

    /**
     * Reads exactly {@code n} bytes, waiting as often as it takes.
     *
     * @param n how many bytes to read, zero or more
     * @return exactly {@code n} bytes
     * @throws IllegalArgumentException if {@code n} is negative
     * @throws EOFException if the stream ends first, carrying the bytes read as
     *     {@link PartialProgress#bytesRead()}
     * @throws ThreadCancelled if cancelled or timed out while waiting, carrying the bytes read so far
     * @throws IOException if the connection fails, carrying the bytes read so far
     */
    public byte[] readExactly(int n) throws IOException {
        if (n < 0) {
            throw new IllegalArgumentException("n must not be negative: " + n);
        }
        return reading(() -> {
            byte[] out = new byte[n];
            int got = 0;
            try {
                for (;;) {
                    int k = Math.min(n - got, end - start);
                    System.arraycopy(buf, start, out, got, k);
                    consume(k);
                    got += k;
                    if (got == n) {
                        return out;
                    }
                    if (!fill()) {
                        throw new EOFException("end of stream after " + got + " of " + n + " bytes");
                    }
                }
            } catch (ThreadCancelled | IOException e) {
                e.addSuppressed(PartialProgress.read(Arrays.copyOf(out, got)));
                throw e;
            }
        });
    }

    /**
     * Reads everything up to the end of the stream.
     *
     * @return every byte up to the end of the stream; empty if it had ended
     * @throws ThreadCancelled if cancelled or timed out while waiting, carrying the bytes read so far
     *     as {@link PartialProgress#bytesRead()}
     * @throws IOException if the connection fails, carrying the bytes read so far
     */
    public byte[] readAll() throws IOException {
        return reading(() -> {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try {
                do {
                    out.write(buf, start, end - start);
                    consume(end - start);
                } while (fill());
                return out.toByteArray();
            } catch (ThreadCancelled | IOException e) {
                e.addSuppressed(PartialProgress.read(out.toByteArray()));
                throw e;
            }
        });
    }

    /** The line at the head of the buffer, reading more until it is complete, {@code limit} long, or the stream ends. */
    private byte[] nextLine(int limit) throws IOException {
        for (;;) {
            int stop = (int) Math.min(end, (long) start + limit);
            for (int i = start + scanned; i < stop; i++) {
                if (buf[i] == '\n') {
                    return take(i - start + 1);
                }
            }
            scanned = stop - start;
            if (scanned == limit || !fill()) {
                return take(scanned == limit ? limit : end - start);
            }
        }
    }

    /**
     * Reads once from the socket into the buffer, waiting until something arrives.
     *
     * @return {@code false} at the end of the stream
     */
    private boolean fill() throws IOException {
        makeRoom();
        ByteBuffer dst = ByteBuffer.wrap(buf, end, buf.length - end);
        for (;;) {
            int n = channel.read(dst);
            if (n > 0) {
                end += n;
                return true;
            }
            if (n < 0) {
                return false;
            }
            readiness.await(SelectionKey.OP_READ, "Socket.read");
        }
    }

    /**
     * Makes room after the buffered bytes, unless there is an eighth of the buffer free: moves them
     * to the front, into a buffer twice as large if they fill more than half of it.
     */
    private void makeRoom() {
        if (buf.length - end >= buf.length / 8) {
            return;
        }
        int live = end - start;
        byte[] target = live > buf.length / 2 ? new byte[Math.max(buf.length * 2, live + 1)] : buf;
        System.arraycopy(buf, start, target, 0, live);
        buf = target;
        start = 0;
        end = live;
    }

    private byte[] take(int n) {
        byte[] out = Arrays.copyOfRange(buf, start, start + n);
        consume(n);
        return out;
    }

    private void consume(int n) {
        start += n;
        scanned = 0;
        if (start == end) {
            start = end = 0;
        }
    }

    // ---- writing ----

    /**
     * Writes all of {@code data}, waiting while the socket has no room.
     *
     * @param data the bytes to write; not modified
     * @throws ThreadCancelled if cancelled or timed out while waiting, carrying exactly how many bytes
     *     were handed to the socket as {@link PartialProgress#bytesWritten()}
     * @throws IOException if the connection fails or the stream is closed, carrying the same count
     */
    public void write(byte[] data) throws IOException {
        write(data, 0, data.length);
    }

    /**
     * Writes {@code len} bytes of {@code data} from {@code off}, as {@link #write(byte[])} does.
     *
     * @param data the array holding the bytes to write; not modified
     * @param off where in {@code data} the first byte is
     * @param len how many bytes to write
     * @throws IndexOutOfBoundsException if {@code off} and {@code len} do not lie within {@code data}
     * @throws ThreadCancelled if cancelled or timed out while waiting, carrying exactly how many bytes
     *     were handed to the socket as {@link PartialProgress#bytesWritten()}
     * @throws IOException if the connection fails or the stream is closed, carrying the same count
     */
    public void write(byte[] data, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, data.length);
        writing(() -> send(ByteBuffer.wrap(data, off, len)));
    }

    /**
     * Writes each item in turn, as given (nothing is added between them; end each line with
     * {@code '\n'} yourself). The items may come from an endless iterable, e.g. {@code stream::iterator}.
     *
     * @param lines the byte arrays to write, in iteration order; iterated once, on the calling thread
     * @throws ThreadCancelled if cancelled or timed out while waiting, carrying exactly how many bytes
     *     were handed to the socket, over all items, as {@link PartialProgress#bytesWritten()}
     * @throws IOException if the connection fails or the stream is closed, carrying the same count
     */
    public void writeLines(Iterable<byte[]> lines) throws IOException {
        Objects.requireNonNull(lines, "lines");
        writing(() -> {
            for (byte[] line : lines) {
                send(ByteBuffer.wrap(line));
            }
        });
    }

    /** Does nothing: writes are not buffered. */
    public void flush() {
    }

    private void send(ByteBuffer src) throws IOException {
        while (src.hasRemaining()) {
            int n = channel.write(src);
            written += n;
            if (n == 0) {
                readiness.await(SelectionKey.OP_WRITE, "Socket.write");
            }
        }
    }

    // ---- views and closing ----

    /**
     * This stream as an {@link InputStream}, for code that takes one; it reads through the same
     * buffer, and its {@code read} methods block, wait and throw as {@link #read(byte[], int, int)}
     * does. Closing it closes the socket.
     *
     * @return a view of this stream; it shares the read buffer, so reads through it and through the
     *     stream interleave without losing bytes (one thread at a time)
     */
    public InputStream inputStream() {
        return new InputStream() {
            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return SocketStream.this.read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                return SocketStream.this.read(b, off, len);
            }

            @Override
            public void close() throws IOException {
                SocketStream.this.close();
            }
        };
    }

    /**
     * This stream as an {@link OutputStream}; its {@code write} methods block, wait and throw as
     * {@link #write(byte[], int, int)} does. Closing it closes the socket.
     *
     * @return an unbuffered view of this stream: each {@code write} call reaches the socket before it
     *     returns
     */
    public OutputStream outputStream() {
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                SocketStream.this.write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                SocketStream.this.write(b, off, len);
            }

            @Override
            public void close() throws IOException {
                SocketStream.this.close();
            }
        };
    }

    /** Closes the socket; a thread waiting in a read or write ends with {@link AsynchronousCloseException}. Idempotent. */
    @Override
    public void close() throws IOException {
        socket.close();
    }

    // ---- one reader, one writer ----

    @FunctionalInterface
    private interface Op<T> {
        T run() throws IOException;
    }

    @FunctionalInterface
    private interface WriteOp {
        void run() throws IOException;
    }

    private <T> T reading(Op<T> op) throws IOException {
        if (!reading.compareAndSet(false, true)) {
            throw new IllegalStateException("another thread is reading from this stream");
        }
        try {
            ensureOpen();
            return op.run();
        } finally {
            reading.set(false);
        }
    }

    private void writing(WriteOp op) throws IOException {
        if (!writing.compareAndSet(false, true)) {
            throw new IllegalStateException("another thread is writing to this stream");
        }
        written = 0;
        try {
            ensureOpen();
            op.run();
        } catch (ThreadCancelled | IOException e) {
            e.addSuppressed(PartialProgress.written(written));
            throw e;
        } finally {
            writing.set(false);
        }
    }

    private void ensureOpen() throws ClosedChannelException {
        if (!channel.isOpen()) {
            throw new ClosedChannelException();
        }
    }
}
