package dev.thredo.spring.problem;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpOutputMessage;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.converter.HttpMessageConverter;
import org.springframework.http.converter.HttpMessageConverters;

/**
 * Writes a {@link ProblemDetail} as an {@code application/problem+json} response, for code that
 * answers outside a Spring MVC handler: a servlet filter, a security entry point, an error page, a
 * container valve. (A handler or an actuator operation returns its {@code ProblemDetail} and Spring
 * MVC writes it the same way.)
 *
 * <p>The body is written by the application's own message converters, the ones Spring MVC uses, so
 * a problem looks the same whoever answers it: the first converter that can write a
 * {@code ProblemDetail} as {@code application/problem+json}. If the application has none (no Spring
 * MVC in the context, or no JSON converter in it), Spring's default converters for the classpath
 * (Jackson, Gson or JSON-B) are used; if none of those can either, the response carries the status
 * alone. The converter is chosen at the first write and kept.
 *
 * <p>Blocking: {@link #write} blocks for as long as the container's write and flush of the body do (a
 * slow client can hold it there); it is not a thredo delivery point and never looks at cancellation.
 * A thredo thread whose cancellation is pending should answer after its thredo part has ended, as the
 * starter's request filter does (it writes its {@code 503} once the request thread's adoption has
 * ended and its interrupt flag is cleared): an interrupt arriving during the container's write can
 * abort the write with an {@code IOException}.
 *
 * <p>Thread-safe.
 */
public final class ProblemDetailWriter {

    private static final Logger log = LoggerFactory.getLogger(ProblemDetailWriter.class);

    private final Supplier<? extends Iterable<HttpMessageConverter<?>>> applicationConverters;
    /** The converter chosen at the first write (empty: none can write a problem); {@code null} before. */
    private volatile @Nullable Optional<HttpMessageConverter<Object>> converter;

    /** A writer with no application converters: Spring's defaults for the classpath. */
    public ProblemDetailWriter() {
        this(List::of);
    }

    /**
     * A writer that prefers the application's converters; the problem auto-configuration registers
     * one with Spring MVC's.
     *
     * @param applicationConverters the application's converters, asked at the first write (so it may
     *     look them up lazily, after the context has started)
     * @throws NullPointerException if {@code applicationConverters} is {@code null}
     */
    public ProblemDetailWriter(Supplier<? extends Iterable<HttpMessageConverter<?>>> applicationConverters) {
        this.applicationConverters = Objects.requireNonNull(applicationConverters, "applicationConverters");
    }

    /**
     * Sets the response's status to the problem's and writes {@code problem} as its body, then
     * flushes (commits) the response. Headers already set are kept (a challenge, security headers);
     * a caller replacing an answer a handler began resets the response first. Does nothing if the
     * response is already committed.
     *
     * @param response the response to answer with; left alone if already committed
     * @param problem the problem to write; its status becomes the response's
     * @return whether the problem was written (the response was not committed yet)
     * @throws IOException if writing the body or flushing fails (typically: the client went away)
     */
    public boolean write(HttpServletResponse response, ProblemDetail problem) throws IOException {
        if (response.isCommitted()) {
            return false;
        }
        response.setStatus(problem.getStatus());
        HttpMessageConverter<Object> chosen = converter();
        byte[] body = new byte[0];
        if (chosen != null) {
            Buffer out = new Buffer();
            chosen.write(problem, MediaType.APPLICATION_PROBLEM_JSON, out);
            MediaType type = out.getHeaders().getContentType();
            response.setContentType((type != null ? type : MediaType.APPLICATION_PROBLEM_JSON).toString());
            body = out.body.toByteArray();
        }
        // Complete on the wire at once, with its length: the connection may close right after (a
        // shutdown's last answers), before a chunked body's last chunk would have gone out.
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
        response.flushBuffer();
        return true;
    }

    /**
     * The request's path within its context as a problem's {@code instance}; see
     * {@link #instance(String)}.
     *
     * @param request the request the problem answers
     * @return the path without the context path ({@code "/"} for the context's root), or
     *     {@code null} if the container gives none or it is not a valid URI reference
     */
    public static @Nullable URI instanceOf(HttpServletRequest request) {
        String uri = request.getRequestURI();
        String context = request.getContextPath();
        if (uri != null && context != null && !context.isEmpty() && uri.startsWith(context)) {
            uri = uri.substring(context.length());
        }
        return uri == null ? null : instance(uri.isEmpty() ? "/" : uri);
    }

    /**
     * A request path as a problem's {@code instance}; {@code null} if it is not a valid URI
     * reference (a raw path the container let through), as a problem without an instance is still a
     * problem.
     *
     * @param path a request path, as the container gives it (already percent-encoded)
     * @return the path as a URI reference, or {@code null}
     */
    public static @Nullable URI instance(String path) {
        try {
            return new URI(path);
        } catch (URISyntaxException e) {
            return null;
        }
    }

    /**
     * Chooses the converter and writes one problem into a buffer, so that the first real answer
     * does not pay for the converter's lookup and its serializer's construction (over 100 ms in a
     * cold JVM, on top of a request's deadline).
     */
    void warmUp() throws IOException {
        HttpMessageConverter<Object> chosen = converter();
        if (chosen != null) {
            chosen.write(ThredoProblems.requestCancelled(), MediaType.APPLICATION_PROBLEM_JSON, new Buffer());
        }
    }

    private @Nullable HttpMessageConverter<Object> converter() {
        Optional<HttpMessageConverter<Object>> chosen = converter;
        if (chosen == null) { // a race here only repeats the same search
            chosen = find(applicationConverters.get())
                    .or(() -> find(HttpMessageConverters.forServer().registerDefaults().build()));
            if (chosen.isEmpty()) {
                log.warn("No message converter can write application/problem+json: problems are answered with "
                        + "their status only. Add a JSON library (e.g. Jackson) to the application.");
            }
            converter = chosen;
        }
        return chosen.orElse(null);
    }

    @SuppressWarnings("unchecked")
    private static Optional<HttpMessageConverter<Object>> find(Iterable<? extends HttpMessageConverter<?>> converters) {
        for (HttpMessageConverter<?> c : converters) {
            if (c.canWrite(ProblemDetail.class, MediaType.APPLICATION_PROBLEM_JSON)) {
                return Optional.of((HttpMessageConverter<Object>) c);
            }
        }
        return Optional.empty();
    }

    /** Where a converter writes the problem, so that its length is known before anything is sent. */
    private static final class Buffer implements HttpOutputMessage {
        private final HttpHeaders headers = new HttpHeaders();
        final ByteArrayOutputStream body = new ByteArrayOutputStream(256);

        @Override
        public OutputStream getBody() {
            return body;
        }

        @Override
        public HttpHeaders getHeaders() {
            return headers;
        }
    }
}
