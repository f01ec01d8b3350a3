package dev.thredo.spring.problem;

import java.net.URI;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;

/**
 * The RFC 9457 problems thredo answers with, as Spring {@link ProblemDetail}s, and their stable
 * {@code type} URIs.
 *
 * <p>A client tells these answers apart by {@code type}, never by {@code title} or {@code detail}
 * (which are for people and may be reworded). Each type URI points at its entry in the project's
 * README and never changes. Problems without a type of their own (a malformed query parameter, an
 * unknown action) keep RFC 9457's {@code about:blank}: their status says it all.
 *
 * <p>This class only builds problems (new objects on every call; nothing blocks, nothing is shared);
 * {@link ProblemDetailWriter} writes them where no Spring MVC handler returns them.
 */
public final class ThredoProblems {

    private static final String TYPE_BASE = "https://github.com/thredo-dev/thredo-java/blob/main/README.md#";

    /** 503: the request's thread was cancelled (over HTTP, by the application, at shutdown). */
    public static final URI REQUEST_CANCELLED = URI.create(TYPE_BASE + "request-cancelled");

    /** 503: the request exceeded {@code thredo.web.request-timeout} or a {@code @ThredoScoped} timeout. */
    public static final URI REQUEST_TIMED_OUT = URI.create(TYPE_BASE + "request-timed-out");

    /**
     * 503: the request was cancelled because its client disconnected. Nobody reads this answer; the
     * status is kept for access logs and metrics.
     */
    public static final URI CLIENT_GONE = URI.create(TYPE_BASE + "client-gone");

    /** 400: a thread id in the path is not a number. */
    public static final URI BAD_THREAD_ID = URI.create(TYPE_BASE + "bad-thread-id");

    /** 404: no live thredo thread has this id (it never existed or has ended). */
    public static final URI UNKNOWN_THREAD_ID = URI.create(TYPE_BASE + "unknown-thread-id");

    /**
     * 403: a browser marked a state-changing request cross-site ({@code Sec-Fetch-Site} or
     * {@code Origin}); answered by {@code dev.thredo.spring.security.CrossSiteRequestFilter}.
     */
    public static final URI CROSS_SITE_REQUEST_REFUSED = URI.create(TYPE_BASE + "cross-site-request-refused");

    /**
     * 403: a request to the thredo endpoint with credentials but without the CSRF token the
     * application's security requires (Boot's default security).
     */
    public static final URI CSRF_TOKEN_REQUIRED = URI.create(TYPE_BASE + "csrf-token-required");

    /** How much of a malformed value a detail quotes: a problem body need not carry a huge input in full. */
    private static final int ECHO_LIMIT = 40;

    private static final URI THIS_REQUEST = URI.create("");

    private ThredoProblems() {
    }

    /**
     * 503 {@link #REQUEST_CANCELLED}.
     *
     * @return a new problem; the caller may add properties to it
     */
    public static ProblemDetail requestCancelled() {
        return of(HttpStatus.SERVICE_UNAVAILABLE, REQUEST_CANCELLED, "Request cancelled", "The request was cancelled.");
    }

    /**
     * 503 {@link #REQUEST_TIMED_OUT}.
     *
     * @param detail which timeout ended it, e.g. {@code "The request exceeded its timeout of 1s."}
     * @return a new problem; the caller may add properties to it
     */
    public static ProblemDetail requestTimedOut(String detail) {
        return of(HttpStatus.SERVICE_UNAVAILABLE, REQUEST_TIMED_OUT, "Request timed out", detail);
    }

    /**
     * 503 {@link #CLIENT_GONE}.
     *
     * @return a new problem; the caller may add properties to it
     */
    public static ProblemDetail clientGone() {
        return of(HttpStatus.SERVICE_UNAVAILABLE, CLIENT_GONE, "Client gone",
                "The request was cancelled: its client disconnected.");
    }

    /**
     * 400 {@link #BAD_THREAD_ID}, quoting (the start of) {@code id}. Its {@code instance} is the empty
     * reference (this request), which is left out of the JSON: the request's path holds the bad
     * input, which Spring MVC would otherwise echo in full as the instance.
     *
     * @param id the path segment as sent, quoted through {@link #echo}
     * @return a new problem; the caller may add properties to it
     */
    public static ProblemDetail badThreadId(String id) {
        ProblemDetail problem = of(HttpStatus.BAD_REQUEST, BAD_THREAD_ID, "Bad thread id",
                "thread id must be a number, was '" + echo(id) + "'");
        problem.setInstance(THIS_REQUEST);
        return problem;
    }

    /**
     * 404 {@link #UNKNOWN_THREAD_ID}.
     *
     * @param id the id that named no live thread
     * @return a new problem; the caller may add properties to it
     */
    public static ProblemDetail unknownThreadId(long id) {
        return of(HttpStatus.NOT_FOUND, UNKNOWN_THREAD_ID, "Unknown thread id", "no live thredo thread with id " + id);
    }

    /**
     * A caller's bad value, quoted back short.
     *
     * @param value the value as the caller sent it
     * @return {@code value} itself if it has at most {@value #ECHO_LIMIT} characters, else its first
     *     {@value #ECHO_LIMIT} and its length
     */
    public static String echo(String value) {
        return value.length() <= ECHO_LIMIT ? value
                : value.substring(0, ECHO_LIMIT) + "… (" + value.length() + " characters)";
    }

    private static ProblemDetail of(HttpStatus status, URI type, String title, String detail) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        problem.setType(type);
        problem.setTitle(title);
        return problem;
    }
}
