package dev.thredo.testing;

import static dev.thredo.testing.Polling.BOUND;

import dev.thredo.Kernel;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

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
            responses.add(readResponse(in));
        }
        return responses;
    }

    /**
     * Sends {@code request} (its bytes as they are; it should ask for {@code Connection: close}) on a
     * fresh connection to {@code localhost:port} and reads the one answer to the end of the connection,
     * so that a request no HTTP client would send (a malformed request line, a huge header) gets the
     * answer the server really gave. A server may answer a request it refuses before reading all of
     * it: a write it cuts short, or a reset after its answer, still leaves that answer readable. A
     * connection closed before a whole head gives status {@code -1} and the bytes that came as body.
     */
    public static Response exchange(int port, byte[] request) throws IOException {
        try (RawHttp client = connect(port)) {
            try {
                client.socket.getOutputStream().write(request);
                client.socket.getOutputStream().flush();
            } catch (IOException rejectedMidway) {
                // the server answered and closed before taking the whole request: read what it said
            }
            byte[] raw = client.readToClose();
            if (!new String(raw, StandardCharsets.ISO_8859_1).contains("\r\n\r\n")) {
                return new Response(-1, Map.of(), new String(raw, StandardCharsets.UTF_8));
            }
            return readResponse(new ByteArrayInputStream(raw));
        }
    }

    private byte[] readToClose() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        try {
            for (int n; (n = in.read(buffer)) != -1; ) {
                bytes.write(buffer, 0, n);
            }
        } catch (IOException resetAfterAnswer) {
            if (bytes.size() == 0) {
                throw resetAfterAnswer;
            }
        }
        return bytes.toByteArray();
    }

    /**
     * One response from {@code in}: its body as long as its Content-Length, de-chunked, or, with
     * neither (and a status that has a body), up to the end of the connection (RFC 9112, section 6.3).
     */
    private static Response readResponse(InputStream in) throws IOException {
        int status = Integer.parseInt(line(in).split(" ")[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        for (String header = line(in); !header.isEmpty(); header = line(in)) {
            int colon = header.indexOf(':');
            headers.put(header.substring(0, colon).trim().toLowerCase(Locale.ROOT), header.substring(colon + 1).trim());
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        if (headers.getOrDefault("transfer-encoding", "").toLowerCase(Locale.ROOT).contains("chunked")) {
            for (int size = chunkSize(line(in)); size > 0; size = chunkSize(line(in))) {
                body.write(in.readNBytes(size));
                line(in);
            }
            line(in);
        } else if (headers.containsKey("content-length")) {
            body.write(in.readNBytes(Integer.parseInt(headers.get("content-length"))));
        } else if (status >= 200 && status != 204 && status != 304) {
            body.write(in.readAllBytes());
        }
        return new Response(status, headers, body.toString(StandardCharsets.UTF_8));
    }

    private static int chunkSize(String line) {
        return Integer.parseInt(line.split(";")[0].trim(), 16);
    }

    private static String line(InputStream in) throws IOException {
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

    /** One response: status, headers (by lower-case name; the last of a repeated one) and body text. */
    public record Response(int status, Map<String, String> headers, String body) {
    }
}
