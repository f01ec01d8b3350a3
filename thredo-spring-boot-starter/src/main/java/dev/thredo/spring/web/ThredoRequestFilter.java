package dev.thredo.spring.web;

import dev.thredo.Adoption;
import dev.thredo.Kernel;
import dev.thredo.ThreadCancelled;
import dev.thredo.Thredo;
import dev.thredo.ThredoGroup;
import dev.thredo.ThredoThread;
import dev.thredo.spring.RequestThreads;
import dev.thredo.spring.problem.ProblemDetailWriter;
import dev.thredo.spring.problem.ThredoProblems;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Duration;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.ProblemDetail;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Runs each request as a thredo thread named {@code "<METHOD> <path>"} with a request-scoped
 * {@link ThredoGroup}.
 *
 * <p>The container's request thread is {@linkplain Kernel#adopt(String) adopted} into the kernel for
 * the rest of the filter chain (so it is listed, and can be cancelled with {@link Kernel#cancel(long)}),
 * and a group of the same name is opened: {@link ThredoGroup#current()} returns it in the handler, and
 * a handler parameter of type {@code ThredoGroup} receives it. When the chain returns, the group is
 * closed (members still running are cancelled and waited for), then the adoption ends.
 *
 * <p>With a request timeout, the chain runs inside {@link Thredo#timeoutAfter}: the kernel ends what
 * the handler blocks in when the deadline passes, a thredo wait, a JDK blocking call (by interrupt)
 * or a JDBC statement (cancelled in the database, see {@code dev.thredo.spring.jdbc}), on platform
 * and virtual request threads alike. A request whose handler ends because it was cancelled or timed
 * out answers {@code 503 Service Unavailable} with an RFC 9457 {@code application/problem+json} body,
 * if the response is not committed yet. The handler's response is a delivery point too: a handler
 * that comes back from a call nothing could end (a platform thread's plain socket read) and starts
 * writing its response after its cancellation or deadline gets the cancellation instead, so the
 * client still gets the 503 (never a response broken by the interrupt flag).
 *
 * <p>With {@code thredo.web.cancel-on-disconnect} (Tomcat's HTTP/1.1 NIO connector only), a request
 * whose client disconnects while the handler runs is cancelled the same way, by the same cancel as the
 * watchdog's; nothing is written back to the gone client. A request without a body is watched from the
 * start; one with a body only once the handler has read all of it through
 * {@link HttpServletRequest#getInputStream()} (until then its connection is the handler's to read).
 *
 * <p><b>Async handlers</b> ({@code Callable}, {@code WebAsyncTask}, {@code DeferredResult},
 * {@code CompletableFuture}): the request thread leaves the kernel when the handler returns, as
 * always, and goes back to its pool; the request goes on as its async thread, a member of the same
 * group, named like the request, under the rest of its deadline, cancellable, its connection still
 * watched (see {@link AsyncRequest}); the group is closed when the request completes. The async
 * dispatch that renders the async part's result passes through this filter too, and answers the same
 * 503 problem if the async part was cancelled or timed out.
 *
 * <p>A request that arrives on a thread that already is a thredo thread is not adopted again; it
 * still gets its group. While the kernel is closed, requests pass through untouched.
 */
public class ThredoRequestFilter extends OncePerRequestFilter {

    /** Request attribute holding the request's {@link ThredoGroup} while the chain runs. */
    public static final String GROUP_ATTRIBUTE = ThredoRequestFilter.class.getName() + ".group";

    /** Request attribute set (to a {@link RequestCancellation.Early}) when the handler ended by cancellation or timeout. */
    static final String CANCELLED_ATTRIBUTE = ThredoRequestFilter.class.getName() + ".cancelled";

    private static final Logger log = LoggerFactory.getLogger(ThredoRequestFilter.class);

    /** How a request was ended early. */
    enum Ending {
        CANCELLED, TIMED_OUT, CLIENT_GONE
    }

    private final Kernel kernel;
    private final Duration requestTimeout;
    /** Where the requests running now are registered, for a shutdown to tell them from other threads. */
    private final RequestThreads requests;
    /** Cancels requests whose client went away; {@code null} with the feature off or without Tomcat. */
    private final ClientDisconnects disconnects;
    /** Writes the 503 problems, through the application's message converters. */
    private final ProblemDetailWriter problems;

    /**
     * Creates a filter for an application that registers it itself; the web auto-configuration
     * registers its own. A filter made here keeps its own {@link RequestThreads} (so the shutdown
     * coordinator does not see its requests) and does not cancel requests whose client disconnected.
     *
     * @param kernel the kernel that adopts request threads
     * @param requestTimeout the deadline of each request, counted from the moment the filter adopts
     *     the request thread; {@code null} for none
     * @throws IllegalArgumentException if {@code requestTimeout} is zero or negative
     * @throws NullPointerException if {@code kernel} is {@code null}
     */
    public ThredoRequestFilter(Kernel kernel, Duration requestTimeout) {
        this(kernel, requestTimeout, null, new RequestThreads(), new ProblemDetailWriter());
    }

    ThredoRequestFilter(Kernel kernel, Duration requestTimeout, ClientDisconnects disconnects, RequestThreads requests,
            ProblemDetailWriter problems) {
        this.problems = Objects.requireNonNull(problems, "problems");
        this.disconnects = disconnects;
        this.requests = Objects.requireNonNull(requests, "requests");
        this.kernel = Objects.requireNonNull(kernel, "kernel");
        if (requestTimeout != null && (requestTimeout.isZero() || requestTimeout.isNegative())) {
            throw new IllegalArgumentException("requestTimeout must be positive: " + requestTimeout);
        }
        this.requestTimeout = requestTimeout;
    }

    /** Async dispatches come here too: the end of a request's async part is answered as a handler's end is. */
    @Override
    protected boolean shouldNotFilterAsyncDispatch() {
        return false;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        if (isAsyncDispatch(request)) {
            AsyncRequest async = AsyncRequest.of(request);
            if (async == null) {
                chain.doFilter(request, response); // its async part started without thredo (the kernel was closed)
            } else {
                serveAsyncDispatch(request, response, chain, async);
            }
            return;
        }
        String name = request.getMethod() + " " + path(request);
        Adoption adoption = null;
        if (RequestCancellation.currentOrNull() == null) {
            if (kernel.isClosed()) {
                chain.doFilter(request, response);
                return;
            }
            try {
                adoption = kernel.adopt(name);
            } catch (IllegalStateException closedMeanwhile) {
                chain.doFilter(request, response);
                return;
            }
        }
        ThredoThread<?> self = Thredo.current();
        requests.started(self);
        try {
            serve(request, response, chain, name, adoption, self);
        } finally {
            requests.ended(self); // after the answer is written: a shutdown waits for it
        }
    }

    /** The request, adopted (or already a thredo thread) as {@code self}: its chain, then its problem answer if it ended early. */
    private void serve(HttpServletRequest request, HttpServletResponse response, FilterChain chain, String name,
            Adoption adoption, ThredoThread<?> self) throws ServletException, IOException {
        RequestCancellation.Early early = null;
        Throwable failure = null;
        Throwable caught = null;
        ClientDisconnects.Watch watch = null;
        boolean clientGone = false;
        AsyncRequest async = null;
        try {
            HttpServletRequest watched = request;
            if (disconnects != null && (watch = disconnects.prepare(() -> cancel(self))) != null) {
                if (BodyEndWatchingRequest.hasBody(request)) {
                    watched = new BodyEndWatchingRequest(request, watch);
                } else {
                    watch.start();
                }
            }
            try {
                runInGroup(name, watched, new DeliveryPointResponse(response), chain);
            } catch (Throwable t) {
                caught = t;
                if (RequestCancellation.isCancellation(t)) {
                    early = RequestCancellation.early(t);
                    log.debug("request {} ended early ({})", name, early.ending(), t);
                } else {
                    failure = t;
                }
            }
        } finally {
            async = AsyncRequest.of(request); // the handler left the request async: its async part answers it
            if (watch != null) {
                boolean watching = watch.isStarted();
                clientGone = watch.end(); // from here on the watcher leaves the connection alone
                if (async != null) {
                    // The async part watches on (a watch of its own, cancelling its thread), if this one did.
                    async.handOver(requests, watching ? disconnects : null, clientGone || early != null);
                } else if (clientGone && (early != null || request.getAttribute(CANCELLED_ATTRIBUTE) != null)) {
                    disconnects.countCancelled(); // cut short by it, not merely seen after the answer was sent
                }
            } else if (async != null) {
                async.handOver(requests, null, early != null);
            }
            if (adoption != null) {
                if (caught == null && request.getAttribute(CANCELLED_ATTRIBUTE) != null) {
                    caught = new ThreadCancelled("request " + name + " ended early"); // a resolver answered it
                }
                if (caught != null) {
                    adoption.endWith(caught); // counted as cancelled (or failed), not succeeded
                }
                adoption.close(); // also clears the interrupt flag a cancellation set
            }
        }

        if (failure != null) {
            rethrow(failure);
        }
        if (async == null) { // else its async part answers, on its dispatch
            answer(request, response, early, clientGone);
        }
    }

    /**
     * An async dispatch (the result of a request's async part, on a container thread): the chain
     * renders the result, and the request is answered as at the end of a synchronous handler, with
     * the 503 problem if the async part was cancelled or timed out. A dispatch that starts a further
     * async part hands the request over again.
     */
    private void serveAsyncDispatch(HttpServletRequest request, HttpServletResponse response, FilterChain chain,
            AsyncRequest async) throws ServletException, IOException {
        RequestCancellation.Early early = null;
        Throwable failure = null;
        try {
            chain.doFilter(request, response);
        } catch (Throwable t) {
            if (RequestCancellation.isCancellation(t)) {
                early = RequestCancellation.early(t);
            } else {
                failure = t;
            }
        }
        if (request.isAsyncStarted()) {
            async.handOver(requests, null, early != null);
            if (failure != null) {
                rethrow(failure);
            }
            return;
        }
        boolean clientGone = async.endWatch();
        if (clientGone && (early != null || request.getAttribute(CANCELLED_ATTRIBUTE) != null)) {
            disconnects.countCancelled();
        }
        if (failure != null) {
            rethrow(failure);
        }
        answer(request, response, early, clientGone);
    }

    /** The end of a request: the 503 problem if it was cancelled or timed out ({@code early}, or as a resolver marked it). */
    private void answer(HttpServletRequest request, HttpServletResponse response, RequestCancellation.Early early,
            boolean clientGone) throws IOException {
        if (early == null && request.getAttribute(CANCELLED_ATTRIBUTE) instanceof RequestCancellation.Early marked) {
            early = marked;
        }
        request.removeAttribute(CANCELLED_ATTRIBUTE);
        if (early != null && clientGone) {
            early = new RequestCancellation.Early(Ending.CLIENT_GONE, null);
        }
        if (early != null) {
            writeProblem(request, response, early);
        }
    }

    /**
     * The one way the filter cancels a running request (its client gone): never blocks, a no-op once
     * the request has ended; closing the request's group then cancels its members.
     */
    private static void cancel(ThredoThread<?> request) {
        request.requestCancel();
    }

    private void runInGroup(String name, HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws Exception {
        Object previous = request.getAttribute(GROUP_ATTRIBUTE);
        ThredoGroup group = ThredoGroup.open(name, ThredoGroup.Wait.ALL);
        request.setAttribute(GROUP_ATTRIBUTE, group);
        try {
            if (requestTimeout == null) {
                runChain(request, response, chain);
            } else {
                Thredo.timeoutAfter(requestTimeout, () -> runChain(request, response, chain));
            }
        } finally {
            if (AsyncRequest.of(request) == null) { // else the group lives on with the async part, closed when it completes
                try {
                    group.close();
                } finally {
                    if (previous != null) {
                        request.setAttribute(GROUP_ATTRIBUTE, previous);
                    } else {
                        request.removeAttribute(GROUP_ATTRIBUTE);
                    }
                }
            }
        }
    }

    /**
     * The chain; if the handler left the request async, its {@link AsyncRequest} takes over the group
     * and the deadline (created here, still under the deadline, unless an async hook already did).
     */
    private static void runChain(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        chain.doFilter(request, response);
        if (request.isAsyncStarted()) {
            AsyncRequest.start(request);
        }
    }

    private void writeProblem(HttpServletRequest request, HttpServletResponse response, RequestCancellation.Early early)
            throws IOException {
        Ending ending = early.ending();
        if (response.isCommitted()) {
            log.debug("request {} {} ended early ({}) after its response was committed", request.getMethod(),
                    path(request), ending);
            return;
        }
        response.reset(); // whatever the handler began is not the answer
        ProblemDetail problem = switch (ending) {
            case CLIENT_GONE -> ThredoProblems.clientGone();
            case TIMED_OUT -> ThredoProblems.requestTimedOut(early.timeout() != null
                    ? "The request exceeded a timeout of " + early.timeout() + "."
                    : requestTimeout != null ? "The request exceeded its timeout of " + format(requestTimeout) + "."
                    : "The request timed out.");
            case CANCELLED -> ThredoProblems.requestCancelled();
        };
        problem.setInstance(ProblemDetailWriter.instanceOf(request));
        if (ending != Ending.CLIENT_GONE) {
            problems.write(response, problem);
            return;
        }
        log.debug("request {} {} cancelled: its client disconnected", request.getMethod(), path(request));
        try {
            problems.write(response, problem); // read only by a client that half-closed; else for access logs
        } catch (IOException gone) {
            log.debug("the problem for request {} {} found its client gone", request.getMethod(), path(request));
        }
    }

    /** {@code d} as a Boot property would write it: {@code 1s}, {@code 250ms}, {@code 2m}. */
    static String format(Duration d) {
        if (d.toNanosPart() % 1_000_000 != 0) {
            return d.toNanos() + "ns";
        }
        long ms = d.toMillis();
        if (ms % 1000 != 0) {
            return ms + "ms";
        }
        long s = ms / 1000;
        return s % 3600 == 0 ? s / 3600 + "h" : s % 60 == 0 ? s / 60 + "m" : s + "s";
    }

    private static String path(HttpServletRequest request) {
        String uri = request.getRequestURI();
        String context = request.getContextPath();
        if (context != null && !context.isEmpty() && uri.startsWith(context)) {
            uri = uri.substring(context.length());
        }
        return uri.isEmpty() ? "/" : uri;
    }

    private static void rethrow(Throwable t) throws IOException, ServletException {
        if (t instanceof IOException e) {
            throw e;
        }
        if (t instanceof ServletException e) {
            throw e;
        }
        if (t instanceof RuntimeException e) {
            throw e;
        }
        if (t instanceof Error e) {
            throw e;
        }
        throw new ServletException(t);
    }
}
