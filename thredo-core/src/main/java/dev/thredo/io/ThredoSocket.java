package dev.thredo.io;

import dev.thredo.ThreadCancelled;
import dev.thredo.ThreadTimeout;
import java.io.Closeable;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketOption;
import java.net.UnknownHostException;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.Objects;

/**
 * A connected TCP socket whose waits are thredo delivery points: thredo's {@code Socket}. All I/O
 * goes through its {@link #stream()}.
 *
 * <h2>Connecting</h2>
 * {@link #connect(String, int)} looks the host name up and tries each of its addresses in turn until
 * one accepts the connection. Both the lookup and the connection attempt wait cancellably:
 * <ul>
 * <li>A cancelled thread gets {@link ThreadCancelled}, one whose {@code Thredo.timeoutAfter} deadline
 *     passes gets {@link ThreadTimeout}; on virtual and platform threads alike. Nothing stays
 *     open: a socket being connected is closed.</li>
 * <li>The JDK's name lookup cannot be interrupted, so it runs in a helper virtual thread; a cancelled
 *     caller leaves at once and <em>abandons</em> the lookup, which finishes in the background
 *     (bounded by the system resolver's own timeouts) and whose answer is dropped.</li>
 * <li>A cancellation requested before {@code connect} would wait is delivered at its first wait.</li>
 * </ul>
 *
 * <p>A {@code ThredoSocket} is safe to use from several threads as its stream allows (one reader and
 * one writer at a time). {@link #close()} may be called by any thread at any time; threads waiting in
 * the stream then end with {@link AsynchronousCloseException}.
 */
public final class ThredoSocket implements Closeable {
    private final SocketChannel channel;
    private final Readiness readiness;
    private final SocketStream stream;

    /** Wraps {@code channel}, which it puts in non-blocking mode and owns from now on. */
    ThredoSocket(SocketChannel channel) throws IOException {
        this.channel = channel;
        this.readiness = new Readiness(channel);
        this.stream = new SocketStream(this, channel, readiness);
        try {
            channel.configureBlocking(false);
        } catch (IOException e) {
            closeAfter(e);
            throw e;
        }
    }

    /**
     * Connects to {@code port} on {@code host}, trying each address the name resolves to in turn.
     *
     * @param host a host name or an address literal; not {@code null}
     * @param port the TCP port, 0 to 65535
     * @return the connected socket, in non-blocking mode; the caller owns it and must close it
     * @throws UnknownHostException if the name does not resolve
     * @throws IOException if no address accepts the connection: the first attempt's exception, with
     *     the others suppressed
     * @throws ThreadCancelled if cancelled, or a deadline passes, during the lookup or a connection attempt
     * @throws IllegalArgumentException if the port is out of range
     * @throws NullPointerException if {@code host} is {@code null}
     */
    public static ThredoSocket connect(String host, int port) throws IOException {
        return connect(host, port, NameLookup.SYSTEM);
    }

    /**
     * Connects to {@code address}; an {@linkplain InetSocketAddress#isUnresolved() unresolved} one is
     * looked up first, as {@link #connect(String, int)} does.
     *
     * @param address where to connect; not {@code null}
     * @return the connected socket, in non-blocking mode; the caller owns it and must close it
     * @throws IOException if the connection fails
     * @throws ThreadCancelled if cancelled, or a deadline passes, while connecting
     */
    public static ThredoSocket connect(InetSocketAddress address) throws IOException {
        if (address.isUnresolved()) {
            return connect(address.getHostString(), address.getPort());
        }
        return open(address);
    }

    /** {@link #connect(String, int)} with the given resolver; the seam for tests. */
    static ThredoSocket connect(String host, int port, NameLookup.Resolver resolver) throws IOException {
        Objects.requireNonNull(host, "host");
        if (port < 0 || port > 0xFFFF) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
        IOException failure = null;
        for (InetAddress address : NameLookup.resolve(host, resolver)) {
            try {
                return open(new InetSocketAddress(address, port));
            } catch (IOException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        throw failure != null ? failure : new UnknownHostException(host + ": no addresses");
    }

    private static ThredoSocket open(InetSocketAddress address) throws IOException {
        ThredoSocket socket = new ThredoSocket(SocketChannel.open());
        try {
            if (!socket.channel.connect(address)) {
                while (!socket.channel.finishConnect()) {
                    socket.readiness.await(SelectionKey.OP_CONNECT, "Socket.connect");
                }
            }
            return socket;
        } catch (Throwable t) {
            socket.closeAfter(t);
            throw t;
        }
    }

    /**
     * {@return the buffered stream for reading and writing; always the same one} Closing it closes
     * the socket.
     */
    public SocketStream stream() {
        return stream;
    }

    /**
     * The local address the socket is bound to.
     *
     * @return the local address and port
     * @throws IOException if the socket is closed
     */
    public InetSocketAddress localAddress() throws IOException {
        return (InetSocketAddress) channel.getLocalAddress();
    }

    /**
     * The address of the peer, as connected (not looked up again).
     *
     * @return the peer's address and port
     * @throws IOException if the socket is closed
     */
    public InetSocketAddress remoteAddress() throws IOException {
        return (InetSocketAddress) channel.getRemoteAddress();
    }

    /**
     * Sets a socket option, e.g. {@code StandardSocketOptions.TCP_NODELAY}.
     *
     * @param <T> the option's value type
     * @param option the option; {@code SocketChannel} lists the supported ones
     * @param value its new value; {@code null} only where the option allows it
     * @return this socket, for chaining
     * @throws UnsupportedOperationException if the option is not supported
     * @throws IllegalArgumentException if the value is not valid for the option
     * @throws IOException if the socket is closed or the option cannot be set
     */
    public <T> ThredoSocket setOption(SocketOption<T> option, T value) throws IOException {
        channel.setOption(option, value);
        return this;
    }

    /**
     * Ends the output half of the connection: the peer reads the end of the stream, while this side
     * can still read. Does not block.
     *
     * @throws IOException if the socket is closed or not connected
     */
    public void shutdownOutput() throws IOException {
        channel.shutdownOutput();
    }

    /** {@return whether the socket is open: not yet closed, by any thread or by a failed connect} */
    public boolean isOpen() {
        return channel.isOpen();
    }

    /**
     * Closes the socket. Threads waiting in its stream end with {@link AsynchronousCloseException}.
     * Does not block; data already handed to the socket is still delivered. Idempotent.
     */
    @Override
    public void close() throws IOException {
        readiness.close(); // first: wakes waiters and deregisters, so the channel closes at once
        channel.close();
    }

    private void closeAfter(Throwable failure) {
        try {
            close();
        } catch (IOException e) {
            failure.addSuppressed(e);
        }
    }

    @Override
    public String toString() {
        return "ThredoSocket[" + channel + "]";
    }
}
