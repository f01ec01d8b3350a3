package dev.thredo.io;

import dev.thredo.ThreadCancelled;
import java.io.EOFException;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What a {@link SocketStream} operation had done when it ended by an exception: thredo's
 * {@code bytes_read}, {@code bytes_written} and {@code lines_read} attributes.
 *
 * <p>It is never thrown. {@link SocketStream#readAll()}, {@link SocketStream#readExactly(int)},
 * {@link SocketStream#readLines()}, {@link SocketStream#write(byte[])} and
 * {@link SocketStream#writeLines(Iterable)} attach one, as a {@linkplain Throwable#getSuppressed()
 * suppressed exception}, to whatever ends them: a {@link ThreadCancelled} (so also a
 * {@code ThreadTimeout} or {@code TimeoutCancelled}), an {@link EOFException} from
 * {@code readExactly}, or another {@link java.io.IOException} such as a reset connection. Find it
 * with {@link #of(Throwable)}, which also looks through causes, because a {@code timeoutAfter} scope
 * may rethrow the timeout wrapped in another one:
 *
 * <pre>{@code
 * try {
 *     Thredo.timeoutAfter(Duration.ofSeconds(5), () -> stream.write(payload));
 * } catch (ThreadTimeout e) {
 *     long sent = PartialProgress.of(e).map(PartialProgress::bytesWritten).orElse(0L);
 * }
 * }</pre>
 *
 * <p>The data it reports is consumed: it was taken from the socket and is not buffered in the stream
 * any more (see {@link SocketStream} for the rule). A kind of progress an operation does not make
 * is empty (or zero): {@code write} reports only {@link #bytesWritten()}, {@code readLines} only
 * {@link #linesRead()}.
 */
public final class PartialProgress extends Exception {
    private static final long serialVersionUID = 1L;
    private static final byte[] NO_BYTES = {};

    /** The bytes a read took from the socket before it ended; empty for other operations. */
    private final byte[] bytesRead;
    /** The bytes a write handed to the socket before it ended; zero for other operations. */
    private final long bytesWritten;
    /** The complete lines {@code readLines} read before it ended; empty for other operations. */
    private final byte[][] linesRead;

    private PartialProgress(String message, byte[] bytesRead, long bytesWritten, byte[][] linesRead) {
        super(message, null, false, false); // never thrown: no stack trace, nothing suppressed
        this.bytesRead = bytesRead;
        this.bytesWritten = bytesWritten;
        this.linesRead = linesRead;
    }

    static PartialProgress read(byte[] data) {
        return new PartialProgress(data.length + " bytes read", data, 0, new byte[0][]);
    }

    static PartialProgress written(long count) {
        return new PartialProgress(count + " bytes written", NO_BYTES, count, new byte[0][]);
    }

    static PartialProgress lines(List<byte[]> lines) {
        return new PartialProgress(lines.size() + " lines read", NO_BYTES, 0, lines.toArray(new byte[0][]));
    }

    /**
     * {@return the bytes a read operation took from the socket before it ended; a new copy each call,
     * empty if none}
     */
    public byte[] bytesRead() {
        return bytesRead.clone();
    }

    /**
     * {@return how many bytes a write operation handed to the socket before it ended, exactly} The
     * peer receives these bytes and no others of the write.
     */
    public long bytesWritten() {
        return bytesWritten;
    }

    /**
     * {@return the complete lines {@code readLines} read before it ended, each with its {@code '\n'}; an
     * unmodifiable list, empty if none} A partial last line is not here: it stays buffered in the
     * stream.
     */
    public List<byte[]> linesRead() {
        return List.of(linesRead);
    }

    /**
     * The progress attached to {@code failure} or to an exception in its cause chain; empty if there
     * is none: the exception did not end one of the operations listed in the class comment (a failed
     * {@code read}, {@code readLine} or {@code accept} consumed nothing, so it attaches nothing).
     *
     * @param failure what ended the operation, as caught (possibly wrapped); {@code null} gives empty
     * @return the progress found first, looking at {@code failure}'s suppressed exceptions, then its
     *     cause's, and so on
     */
    public static Optional<PartialProgress> of(Throwable failure) {
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Throwable t = failure; t != null && seen.add(t); t = t.getCause()) {
            for (Throwable s : t.getSuppressed()) {
                if (s instanceof PartialProgress p) {
                    return Optional.of(p);
                }
            }
        }
        return Optional.empty();
    }
}
