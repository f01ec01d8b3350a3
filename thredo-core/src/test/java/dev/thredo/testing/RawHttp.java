package dev.thredo.testing;

import static dev.thredo.testing.Polling.BOUND;

import dev.thredo.Kernel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A raw HTTP/1.1 client on a real loopback socket: it can leave mid-request (close the socket),
 * pipeline, or keep a connection alive, which no HTTP client library lets a test do on purpose. Reads
 * are bounded by {@link Polling#BOUND}, so a server that never answers fails the test instead of
 * hanging it.
 */
public final class RawHttp implements AutoCloseable {

    private final Socket socket;
    private final InputStream in;

    private RawHttp(Socket socket) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
    }

    /** Connects to {@code localhost:port} with a read timeout of {@link Polling#BOUND}. */
    public static RawHttp connect(int port) throws IOException {
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), port);
        socket.setSoTimeout((int) BOUND.toMillis());
        return new RawHttp(socket);
    }

    /** The text of a bodiless GET of {@code path}. */
    public static String get(String path) {
        return "GET " + path + " HTTP/1.1\r\nHost: localhost\r\n\r\n";
    }

    /** The text of a POST of {@code body} (as text/plain) to {@code path}. */
    public static String post(String path, String body) {
        return "POST " + path + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: text/plain\r\nContent-Length: "
                + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body;
    }

    /** Sends {@code text} as is (one or more requests). */
    public RawHttp send(String text) throws IOException {
        socket.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
        socket.getOutputStream().flush();
        return this;
    }

    /** Reads {@code count} responses (status line, headers, a Content-Length or chunked body). */
    public List<Response> read(int count) throws IOException {
        List<Response> responses = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String statusLine = line();
            int status = Integer.parseInt(statusLine.split(" ")[1]);
            int length = -1;
            boolean chunked = false;
            for (String header = line(); !header.isEmpty(); header = line()) {
                String lower = header.toLowerCase();
                if (lower.startsWith("content-length:")) {
                    length = Integer.parseInt(header.substring(15).trim());
                } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
                    chunked = true;
                }
            }
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            if (chunked) {
                for (int size = Integer.parseInt(line().trim(), 16); size > 0; size = Integer.parseInt(line().trim(), 16)) {
                    body.write(in.readNBytes(size));
                    line();
                }
                line();
            } else if (length > 0) {
                body.write(in.readNBytes(length));
            }
            responses.add(new Response(status, body.toString(StandardCharsets.UTF_8)));
        }
        return responses;
    }

    private String line() throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int c = in.read(); c != '\n'; c = in.read()) {
            if (c < 0) {
                throw new IOException("connection closed by the server after: " + sb);
            }
            if (c != '\r') {
                sb.append((char) c);
            }
        }
        return sb.toString();
    }

    /** Closes the socket: the client leaves. */
    @Override
    public void close() throws IOException {
        socket.close();
    }

    /**
     * Closes the socket once the request thread named {@code threadName} is live in {@code kernel}, and
     * returns how long it then took until that thread had left the kernel, in nanoseconds; fails
     * after {@link Polling#BOUND}.
     */
    public long closeAndTimeUntilGone(Kernel kernel, String threadName) throws IOException {
        long id = KernelPolling.awaitThread(kernel, t -> t.name().equals(threadName)).id();
        long closed = System.nanoTime();
        close();
        return KernelPolling.awaitGone(kernel, id, closed);
    }

    /** One response: status and body text. */
    public record Response(int status, String body) {
    }
}
