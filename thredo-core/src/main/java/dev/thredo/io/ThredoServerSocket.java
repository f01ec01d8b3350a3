package dev.thredo.io;

import dev.thredo.ThreadCancelled;
import dev.thredo.ThreadTimeout;
import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/**
 * A listening TCP socket whose {@link #accept()} is a thredo delivery point.
 *
 * <p>{@code accept} waits until a connection arrives. A thread cancelled while it waits gets
 * {@link ThreadCancelled}, one whose {@code Thredo.timeoutAfter} deadline passes gets
 * {@link ThreadTimeout}, on virtual and platform threads alike; a cancelled {@code accept} accepted
 * nothing (a connection that arrives later stays queued for the next {@code accept}). Several
 * threads may accept on the same socket at once. {@link #close()} may be called by any thread; the
 * threads waiting in {@code accept} then end with {@link AsynchronousCloseException}.
 *
 * <pre>{@code
 * try (ThredoServerSocket server = ThredoServerSocket.bind(new InetSocketAddress(8080));
 *      ThredoGroup clients = ThredoGroup.open("clients", ThredoGroup.Wait.NONE)) {
 *     while (true) {
 *         ThredoSocket client = server.accept();
 *         clients.spawn(() -> {
 *             try (client) {
 *                 for (byte[] line : client.stream().lines()) {
 *                     client.stream().write(line); // echo
 *                 }
 *             }
 *             return null;
 *         });
 *     }
 * }
 * }</pre>
 */
public final class ThredoServerSocket implements Closeable {
    private final ServerSocketChannel channel;
    private final Readiness readiness;

    private ThredoServerSocket(ServerSocketChannel channel) {
        this.channel = channel;
        this.readiness = new Readiness(channel);
    }

    /**
     * Listens on {@code address} (port 0: a free port, see {@link #localAddress()}) with the
     * system's default backlog. Does not block.
     *
     * @param address the local address and port to listen on; {@code null}: the wildcard address and
     *     a free port
     * @return the listening socket; the caller owns it and must close it
     * @throws java.net.BindException if the address is in use or cannot be bound
     * @throws IOException if the socket cannot be opened or bound; nothing stays open
     */
    public static ThredoServerSocket bind(InetSocketAddress address) throws IOException {
        return bind(address, 0);
    }

    /**
     * Listens on {@code address} with room for {@code backlog} connections not yet accepted
     * (0 or less: the system's default). Does not block.
     *
     * @param address the local address and port to listen on; {@code null}: the wildcard address and
     *     a free port
     * @param backlog how many connections the system may queue before {@link #accept()} takes them; a
     *     hint the system may round
     * @return the listening socket; the caller owns it and must close it
     * @throws java.net.BindException if the address is in use or cannot be bound
     * @throws IOException if the socket cannot be opened or bound; nothing stays open
     */
    public static ThredoServerSocket bind(InetSocketAddress address, int backlog) throws IOException {
        ServerSocketChannel channel = ServerSocketChannel.open();
        try {
            channel.bind(address, backlog);
            channel.configureBlocking(false);
            return new ThredoServerSocket(channel);
        } catch (Throwable t) {
            channel.close();
            throw t;
        }
    }

    /**
     * Waits for a connection and returns it.
     *
     * @return the accepted connection, in non-blocking mode; the caller owns it and must close it
     * @throws ThreadCancelled if cancelled, or a deadline passes, while waiting; nothing was accepted
     * @throws AsynchronousCloseException if another thread closes this socket meanwhile
     * @throws IOException if accepting fails, or this socket is closed
     */
    public ThredoSocket accept() throws IOException {
        for (;;) {
            SocketChannel client = channel.accept();
            if (client != null) {
                return new ThredoSocket(client);
            }
            readiness.await(SelectionKey.OP_ACCEPT, "Socket.accept");
        }
    }

    /**
     * The address it listens on.
     *
     * @return the bound address, with the actual port (the one chosen if port 0 was asked for)
     * @throws IOException if the socket is closed
     */
    public InetSocketAddress localAddress() throws IOException {
        return (InetSocketAddress) channel.getLocalAddress();
    }

    /** {@return whether it is open (listening): not yet closed} */
    public boolean isOpen() {
        return channel.isOpen();
    }

    /**
     * Stops listening. Threads waiting in {@link #accept()} end with {@link AsynchronousCloseException};
     * connections already accepted stay open. Idempotent.
     */
    @Override
    public void close() throws IOException {
        readiness.close();
        channel.close();
    }

    @Override
    public String toString() {
        return "ThredoServerSocket[" + channel + "]";
    }
}
