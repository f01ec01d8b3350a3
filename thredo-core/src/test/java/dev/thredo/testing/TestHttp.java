package dev.thredo.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;

/**
 * A JDK {@link HttpClient} against one test server (real HTTP on its real port), with bounded
 * timeouts: connecting takes at most 5 s, and every request built by {@link #request(String)} gives up
 * after {@link #REQUEST_TIMEOUT}, so a server that never answers fails the test instead of hanging it.
 * Bodies are read as text ({@link Json#of(HttpResponse)} parses one). Thread-safe, and cheap to
 * create: every instance shares one client. It speaks HTTP/1.1 only, with a connection per request in
 * flight, so that concurrent requests really run concurrently on the server (the servers under test
 * speak nothing else).
 */
public final class TestHttp {
    /** How long a request built here may take; longer than any request a test lets run on purpose. */
    public static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

    /** One client for every server: each {@link HttpClient} keeps a selector thread of its own. */
    private static final HttpClient CLIENT = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    private final String base;
    /** The {@code Authorization} header of every request built here; {@code null}: none. */
    private final String authorization;

    private TestHttp(String base, String authorization) {
        this.base = base;
        this.authorization = authorization;
    }

    /** A client of {@code http://localhost:port}. */
    public static TestHttp localhost(int port) {
        return at("http://localhost:" + port);
    }

    /** A client of the server at {@code base} ({@code scheme://host:port}, no trailing slash). */
    public static TestHttp at(String base) {
        return new TestHttp(base, null);
    }

    /** This client with {@code authorization} (see {@link #basic(String)}) as the {@code Authorization} header of every request. */
    public TestHttp authorized(String authorization) {
        return new TestHttp(base, authorization);
    }

    /** The value of an {@code Authorization} header carrying {@code user:password} as Basic credentials. */
    public static String basic(String userAndPassword) {
        return "Basic " + Base64.getEncoder().encodeToString(userAndPassword.getBytes(StandardCharsets.UTF_8));
    }

    /** {@code pathAndQuery} (starting with {@code /}) on this server. */
    public URI uri(String pathAndQuery) {
        return URI.create(base + pathAndQuery);
    }

    /** A GET of {@code pathAndQuery} with {@link #REQUEST_TIMEOUT}; set a method, headers or a body on it before sending. */
    public HttpRequest.Builder request(String pathAndQuery) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(pathAndQuery)).timeout(REQUEST_TIMEOUT).GET();
        return authorization == null ? request : request.header("Authorization", authorization);
    }

    /** GETs {@code pathAndQuery}. */
    public HttpResponse<String> get(String pathAndQuery) {
        return send(request(pathAndQuery));
    }

    /** POSTs no body to {@code pathAndQuery}. */
    public HttpResponse<String> post(String pathAndQuery) {
        return send(request(pathAndQuery).POST(HttpRequest.BodyPublishers.noBody()));
    }

    /** GETs {@code pathAndQuery} without waiting for the answer (a request a test cancels or times out). */
    public CompletableFuture<HttpResponse<String>> getAsync(String pathAndQuery) {
        return sendAsync(request(pathAndQuery));
    }

    /** Sends {@code request} without waiting for the answer. */
    public CompletableFuture<HttpResponse<String>> sendAsync(HttpRequest.Builder request) {
        return CLIENT.sendAsync(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /**
     * Sends {@code request} and waits for the whole answer. An I/O failure is rethrown unchecked; an
     * interrupt ends the wait with the calling thread's interrupt status set again.
     */
    public HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted waiting for " + request.build().uri(), e);
        }
    }
}
