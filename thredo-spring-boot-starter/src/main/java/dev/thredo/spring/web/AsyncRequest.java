package dev.thredo.spring.web;

import dev.thredo.CancelAction;
import dev.thredo.ThreadCancelled;
import dev.thredo.Thredo;
import dev.thredo.ThredoGroup;
import dev.thredo.ThredoThread;
import dev.thredo.VoidBody;
import dev.thredo.spring.RequestThreads;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.http.HttpServletRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;
import org.springframework.web.context.request.async.DeferredResult;

/**
 * The async part of a request in the kernel: what runs after a handler returned a {@code Callable},
 * {@code WebAsyncTask}, {@code DeferredResult} or {@code CompletableFuture} and its request thread went
 * back to the container.
 *
 * <p>The async part runs as one thredo thread, the request's <em>async thread</em>: a member of the
 * request's group, named like the request ({@code "GET /path"}), under what is left of the request's
 * deadline. For a {@code Callable} it runs the callable ({@link #run}, through
 * {@link ThredoAsyncTaskExecutor}); for a {@code DeferredResult} (Spring adapts a
 * {@code CompletableFuture} to one) it waits for the result ({@link #await}), listed as blocked on
 * {@code "DeferredResult"}. Cancelling it (over HTTP, by a client disconnect, at shutdown) or its
 * deadline passing ends the async part with the {@link ThreadCancelled} or
 * {@link dev.thredo.ThreadTimeout} as its result, which Spring dispatches back to the container:
 * {@link ThredoCancellationExceptionResolver} takes it, and {@link ThredoRequestFilter} answers the
 * same 503 problem as for a synchronous handler.
 *
 * <p>The request's group stays open across the async part (a handler may hand members to its
 * callable), the request is registered in {@link RequestThreads} by its async thread, and the client's
 * connection is watched for a disconnect, until the request completes: then, as an
 * {@link AsyncListener}, this closes the group (members still running are cancelled and waited for),
 * ends the watch and the registration. Nothing of the request is left after it.
 *
 * <p>One per request, kept as a request attribute; created on the request's thredo thread, under its
 * deadline, when its first async part starts (by {@link ThredoAsyncTaskExecutor} or
 * {@link AsyncRequestInterceptor}; by the filter for async processing started some other way, such as
 * a handler's own {@code startAsync()}: such a request has no async thread, but its group is still
 * closed when it completes); handed the container side ({@link #handOver}) by the filter when the
 * dispatch that started the async part returns.
 */
final class AsyncRequest implements AsyncListener {

    private static final String ATTRIBUTE = AsyncRequest.class.getName();

    /** What the listing shows a thread waiting for a {@code DeferredResult} blocked on. */
    static final String BLOCKED_ON = "DeferredResult";

    private final ThredoGroup group;
    /** The request's deadline, {@code null} if none. */
    private final Instant deadline;

    /** The thread of the current async part, {@code null} before the first or for one not run by thredo. */
    private volatile ThredoThread<?> thread;
    /** Counted down when the current {@code DeferredResult} has its result (or Spring ended it). */
    private volatile CountDownLatch settled = new CountDownLatch(0);
    /** Set when the client was seen gone or a cancellation came before an async thread was there to take it. */
    private volatile boolean cancelled;

    // Written by the container thread that handed the request over, read by the one that completes it.
    private volatile RequestThreads requests;
    private volatile ThredoThread<?> registered;
    private volatile ClientDisconnects.Watch watch;
    private volatile boolean finished;

    private AsyncRequest(ThredoGroup group, Instant deadline) {
        this.group = group;
        this.deadline = deadline;
    }

    /** The async part of {@code request}, {@code null} if it has none (yet) under thredo. */
    static AsyncRequest of(ServletRequest request) {
        return request.getAttribute(ATTRIBUTE) instanceof AsyncRequest async ? async : null;
    }

    /**
     * The async part of {@code request}, which has started async processing, created on first use by
     * the request's thredo thread (its group and deadline are taken from there); {@code null} if the
     * request does not run under {@link ThredoRequestFilter}.
     */
    static AsyncRequest start(HttpServletRequest request) {
        AsyncRequest async = of(request);
        if (async != null) {
            return async;
        }
        if (!(request.getAttribute(ThredoRequestFilter.GROUP_ATTRIBUTE) instanceof ThredoGroup group)
                || RequestCancellation.currentOrNull() == null || !request.isAsyncStarted()) {
            return null;
        }
        async = new AsyncRequest(group, Thredo.deadline().orElse(null));
        request.setAttribute(ATTRIBUTE, async);
        request.getAsyncContext().addListener(async);
        return async;
    }

    /** The request's name, {@code "<METHOD> <path>"}: its group's. */
    String name() {
        return group.name();
    }

    /**
     * Runs {@code task} (Spring's wrapper around a handler's {@code Callable}) as the request's async
     * thread. The task catches what the callable throws and dispatches it as the result; a
     * cancellation or deadline that arrived meanwhile is then thrown, so the thread ends
     * {@code CANCELLED} (or {@code FAILED} by its timeout), as a synchronous request thread does.
     *
     * @return {@code false} if the thread could not be started (the kernel is closing)
     */
    boolean run(Runnable task) {
        return startThread(() -> {
            task.run();
            Thredo.checkCancellation();
        });
    }

    /**
     * Starts the request's async thread waiting for {@code result}: listed as blocked on
     * {@value #BLOCKED_ON} until the result is set ({@link #settled()}); if it is cancelled or its
     * deadline passes first, it sets that {@link ThreadCancelled} (or {@link dev.thredo.ThreadTimeout})
     * as the result.
     *
     * @return {@code false} if the thread could not be started (the kernel is closing)
     */
    boolean await(DeferredResult<?> result) {
        CountDownLatch latch = new CountDownLatch(1);
        settled = latch;
        return startThread(() -> {
            try {
                try (CancelAction wake = Thredo.onCancel(BLOCKED_ON, latch::countDown)) {
                    latch.await();
                } catch (InterruptedException interrupted) { // from outside (the kernel runs the action instead)
                    throw new ThreadCancelled("interrupted while waiting for the DeferredResult");
                }
                Thredo.checkCancellation();
            } catch (ThreadCancelled e) {
                endWith(result, e);
                throw e;
            }
        });
    }

    /** Sets {@code e} as the result, the thread's interrupt flag cleared first: Spring dispatches on this thread. */
    private static void endWith(DeferredResult<?> result, ThreadCancelled e) {
        Thread.interrupted();
        result.setErrorResult(e);
    }

    /** The current {@code DeferredResult} has its result, or Spring ended the async part (its timeout, an error). */
    void settled() {
        settled.countDown();
    }

    /** Whether the calling thread is this request's async thread. */
    boolean isAsyncThread() {
        ThredoThread<?> t = thread;
        return t != null && t.thread() == Thread.currentThread();
    }

    private boolean startThread(VoidBody<Exception> body) {
        ThredoThread<?> started;
        try {
            started = group.spawn(name(), () -> {
                thread = Thredo.current(); // before the body, which asks isAsyncThread(); the spawner sets it too
                if (deadline == null) {
                    body.run();
                } else {
                    Thredo.timeoutAfter(Duration.between(Instant.now(), deadline), body);
                }
                return null;
            });
        } catch (IllegalStateException closed) {
            return false;
        }
        thread = started;
        if (cancelled) {
            started.requestCancel();
        }
        return true;
    }

    /**
     * Called by the filter when a dispatch that left the request async returns, on its container
     * thread: registers the async thread as the request's in {@code requests} (until the request
     * completes), and, if {@code disconnects} is given, watches the connection for the client leaving
     * until the request completes (a watch can only be prepared on the thread that serves the
     * connection, so on the request's first dispatch).
     *
     * @param cancelNow whether to cancel the async part at once: the request thread's watch saw the
     *     client leave, or the dispatch itself ended by a cancellation
     */
    void handOver(RequestThreads requests, ClientDisconnects disconnects, boolean cancelNow) {
        this.requests = requests;
        ThredoThread<?> t = thread;
        ThredoThread<?> previous = registered;
        if (t != null && t != previous) {
            requests.started(t);
            registered = t;
            if (previous != null) {
                requests.ended(previous);
            }
        }
        if (cancelNow) {
            cancel();
        } else if (disconnects != null && watch == null) {
            ClientDisconnects.Watch w = disconnects.prepare(this::cancel);
            if (w != null) {
                watch = w;
                w.start();
            }
        }
    }

    /** Cancels the async part: its thread, or the next one if none runs yet. Never blocks. */
    void cancel() {
        cancelled = true;
        ThredoThread<?> t = thread;
        if (t != null) {
            t.requestCancel();
        }
    }

    /**
     * Ends the watch of the client's connection (idempotent).
     *
     * @return whether the client was seen to leave
     */
    boolean endWatch() {
        ClientDisconnects.Watch w = watch;
        return w != null && w.end();
    }

    /** The request completed: nothing of it may stay. */
    private void finish() {
        if (finished) {
            return;
        }
        finished = true;
        settled();
        endWatch();
        try {
            group.close(); // members still running are cancelled and waited for
        } finally {
            ThredoThread<?> t = registered;
            if (t != null) {
                requests.ended(t);
            }
        }
    }

    @Override
    public void onComplete(AsyncEvent event) {
        finish();
    }

    /**
     * Spring MVC's async timeout: Spring's own listener, notified first, has set its result (a 503, or
     * the value of a timeout callback); the async thread is cancelled now, so its own end cannot race
     * that result (see {@link ThredoAsyncTaskExecutor}).
     */
    @Override
    public void onTimeout(AsyncEvent event) {
        cancel();
    }

    /** A container error (e.g. a failed write): as {@link #onTimeout}, Spring has answered first. */
    @Override
    public void onError(AsyncEvent event) {
        cancel();
    }

    @Override
    public void onStartAsync(AsyncEvent event) {
        event.getAsyncContext().addListener(this); // a further async part (a Callable whose result is a DeferredResult)
    }
}
