package dev.thredo.spring.web;

import dev.thredo.ThreadCancelled;
import dev.thredo.ThreadTimeout;
import dev.thredo.Thredo;
import dev.thredo.ThredoThread;
import dev.thredo.TimeoutCancelled;
import dev.thredo.spring.ThredoScoped;
import dev.thredo.spring.ThredoScopedTimeout;
import java.time.Instant;

/** How the request integration tells a cancelled or timed-out handler from an ordinary failure. */
final class RequestCancellation {

    private RequestCancellation() {
    }

    /** The {@link ThreadCancelled} in {@code t}'s cause chain, or {@code null}. */
    static ThreadCancelled find(Throwable t) {
        for (int depth = 0; t != null && depth < 32; depth++, t = t.getCause()) {
            if (t instanceof ThreadCancelled c) {
                return c;
            }
        }
        return null;
    }

    /** Whether {@code t} is a timeout: a thredo timeout exception, or a deadline in force has passed. */
    static boolean isTimeout(Throwable t) {
        ThreadCancelled c = find(t);
        if (c instanceof ThreadTimeout || c instanceof TimeoutCancelled) {
            return true;
        }
        return Thredo.deadline().map(d -> !d.isAfter(Instant.now())).orElse(false);
    }

    /**
     * Whether {@code failure}, thrown on the calling thredo thread, is the effect of its cancellation
     * or of an expired deadline: it carries a {@link ThreadCancelled}, or the thread was asked to
     * cancel (e.g. a JDK call ended by the cancel's interrupt and wrapped), or a deadline passed.
     */
    static boolean isCancellation(Throwable failure) {
        if (find(failure) != null) {
            return true;
        }
        ThredoThread<?> self = currentOrNull();
        if (self == null) {
            return false;
        }
        return self.isCancelled() || isTimeout(failure);
    }

    /**
     * How a request ended early, and for a timeout of a {@link ThredoScoped} call, that timeout as
     * configured ({@code null} otherwise).
     */
    record Early(ThredoRequestFilter.Ending ending, String timeout) {
    }

    /** How a failure that {@link #isCancellation} accepted ended the request; cancellation wins over timeouts. */
    static Early early(Throwable failure) {
        ThredoThread<?> self = currentOrNull();
        boolean cancelled = self != null && self.isCancelled();
        if (cancelled || !isTimeout(failure)) {
            return new Early(ThredoRequestFilter.Ending.CANCELLED, null);
        }
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof ThredoScopedTimeout scoped) {
                return new Early(ThredoRequestFilter.Ending.TIMED_OUT, scoped.timeout());
            }
        }
        return new Early(ThredoRequestFilter.Ending.TIMED_OUT, null);
    }

    /** The calling thredo thread, or {@code null} if the caller is not one. */
    static ThredoThread<?> currentOrNull() {
        // Asked on every request, mostly by threads that are not thredo threads yet: the non-throwing
        // lookup, which allocates nothing for them (no exception, no stack trace).
        return Thredo.currentIfAny().orElse(null);
    }
}
