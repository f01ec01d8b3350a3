package dev.thredo.examples;

import dev.thredo.Thredo;
import dev.thredo.ThredoGroup;
import dev.thredo.ThredoThread;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An echo server on plain JDK sockets, one thredo thread per client, every client handler a member
 * of the server's {@link ThredoGroup}. Cancelling the server thread interrupts its
 * {@code accept()}; leaving the group's block then cancels every handler (their blocking reads end,
 * their sockets close) and waits for them: nothing the server started outlives it
 * (thredo's {@code examples/echo2.py} and {@code echoss.py}).
 */
public final class EchoServer {
    private final ServerSocket listener;
    private final List<ThredoThread<?>> handlers = new CopyOnWriteArrayList<>(); // for the demo to inspect

    public EchoServer(ServerSocket listener) {
        this.listener = listener;
    }

    /** Every client handler the server has started, in order. */
    public List<ThredoThread<?>> handlers() {
        return List.copyOf(handlers);
    }

    /** Accepts clients until cancelled; must run in a thredo thread. */
    public void serve() throws IOException {
        // Wait.NONE: a client that misbehaves must not take the others down (with Wait.ALL, one
        // handler failing would cancel its siblings). The group is never joined, only closed.
        try (listener; ThredoGroup clients = ThredoGroup.open("clients", ThredoGroup.Wait.NONE)) {
            System.out.println("Echo server on " + listener.getLocalSocketAddress());
            while (true) {
                Socket client = listener.accept(); // a cancel interrupts this: SocketException
                handlers.add(clients.spawn("client " + client.getRemoteSocketAddress(), () -> echo(client)));
            }
        } finally {
            System.out.println("Echo server stopped; all " + handlers.size() + " client handlers have ended");
        }
    }

    static void echo(Socket client) {
        System.out.println("Connection from " + client.getRemoteSocketAddress());
        try (client; InputStream in = client.getInputStream(); OutputStream out = client.getOutputStream()) {
            byte[] buffer = new byte[8192];
            int n;
            while ((n = in.read(buffer)) != -1) { // a cancel interrupts the read and closes the socket
                out.write(buffer, 0, n);
            }
            System.out.println("Client " + client.getRemoteSocketAddress() + " closed the connection");
        } catch (IOException e) {
            // Either our cancellation (end as CANCELLED, not as a failure) or the client went away.
            Thredo.checkCancellation();
            System.out.println("Client " + client.getRemoteSocketAddress() + " lost: " + e);
        }
    }

    /** What {@link #run} saw: the echoes, what each client got after the cancel, and every thread. */
    public record Result(List<String> echoes, List<String> afterCancel, ThredoThread<Void> server,
                         List<ThredoThread<?>> handlers) {
    }

    /**
     * Starts the server, connects {@code clients} clients that each get one line echoed (so every
     * handler is up and blocked in its next read), then cancels the server and reads once more from
     * every client: each sees its connection end.
     */
    public static Result run(int clients) throws Exception {
        return Thredo.run(() -> {
            EchoServer server = new EchoServer(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()));
            ThredoThread<Void> serving = Thredo.spawn("echo-server", () -> {
                server.serve();
                return null;
            });
            List<Socket> sockets = new ArrayList<>();
            try {
                List<String> echoes = new ArrayList<>();
                for (int i = 0; i < clients; i++) {
                    Socket s = new Socket(InetAddress.getLoopbackAddress(), server.listener.getLocalPort());
                    sockets.add(s);
                    echoes.add(roundTrip(s, "hello " + i));
                }
                System.out.println("Echoed: " + echoes);

                serving.cancel(); // returns once the server and every one of its handlers have ended

                List<String> afterCancel = new ArrayList<>();
                for (Socket s : sockets) {
                    afterCancel.add(readAfterCancel(s));
                }
                System.out.println("Clients saw: " + afterCancel);
                return new Result(echoes, afterCancel, serving, server.handlers());
            } finally {
                for (Socket s : sockets) {
                    s.close();
                }
            }
        });
    }

    /** Echoes one line through {@code s}. */
    static String roundTrip(Socket s, String line) throws IOException {
        s.getOutputStream().write((line + "\n").getBytes(StandardCharsets.UTF_8));
        StringBuilder sb = new StringBuilder();
        int c;
        while ((c = s.getInputStream().read()) != -1 && c != '\n') {
            sb.append((char) c);
        }
        return sb.toString();
    }

    /** What a client sees on its next read once its handler is gone: end of stream, or a reset. */
    static String readAfterCancel(Socket s) throws IOException {
        s.setSoTimeout(30_000); // a handler that outlived the server would show as a timeout here
        try {
            int b = s.getInputStream().read();
            return b == -1 ? "EOF" : "data " + b;
        } catch (SocketException e) {
            return "reset";
        }
    }

    /** Runs the demo; with an argument, instead serves for that many seconds (try {@code nc}). */
    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            run(3);
            return;
        }
        Duration lifetime = Duration.ofSeconds(Long.parseLong(args[0]));
        Thredo.run(() -> {
            EchoServer server = new EchoServer(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()));
            ThredoThread<Void> serving = Thredo.spawn("echo-server", () -> {
                server.serve();
                return null;
            });
            System.out.println("Try: nc 127.0.0.1 " + server.listener.getLocalPort());
            Thredo.ignoreAfter(lifetime, serving::await);
            serving.cancel(); // and with it every client handler
            return null;
        });
    }
}
