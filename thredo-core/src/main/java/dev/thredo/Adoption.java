package dev.thredo;

import dev.thredo.internal.KernelCore;
import dev.thredo.internal.ThreadControl;

/**
 * A foreign thread (a servlet container's request thread, a scheduler thread) made a thredo thread
 * of a kernel by {@link Kernel#adopt(String)}, until {@link #close()}.
 *
 * <p>While adopted, the thread is listed in the registry, can spawn thredo threads and open groups,
 * use timeouts and shields, and be cancelled like any thredo thread (its thredo blocking operations
 * throw {@link ThreadCancelled}, its JDK blocking calls are interrupted).
 */
public final class Adoption implements AutoCloseable {
    private final KernelCore kernel;
    private final ThreadControl control;
    private boolean closed;
    private Throwable failure;

    Adoption(KernelCore kernel, ThreadControl control) {
        this.kernel = kernel;
        this.control = control;
    }

    /**
     * {@return the adopted thread as a thredo thread} Its {@link ThredoThread#thread()} is the thread
     * that called {@link Kernel#adopt(String)}; it never has a value ({@code Void}).
     */
    public ThredoThread<Void> thread() {
        return ThredoThread.of(control);
    }

    /**
     * Renames the adopted thread: from now on the registry (and so a listing or the actuator) shows it
     * as {@code name}. For an adopter that learns what runs only after adopting the thread, e.g. an
     * executor's task decorator whose task turns out to be a scheduled method. Its id stays the same.
     *
     * @param name the new name, as the registry shows it; not {@code null}. Name the work, never data
     *     it carries: listings are shown to operators.
     * @throws IllegalStateException if the adoption is closed
     * @throws NullPointerException if {@code name} is {@code null}
     */
    public void rename(String name) {
        java.util.Objects.requireNonNull(name, "name");
        if (closed) {
            throw new IllegalStateException("the adoption of " + control.name() + " is closed");
        }
        control.rename(name);
    }

    /**
     * Records that the adopted code ended by throwing {@code failure} (which the caller handled, e.g.
     * by answering 503): {@link #close()} then ends the thread {@link Outcome#CANCELLED} if a
     * cancellation had been requested, else {@link Outcome#FAILED}, so counters and meters see it.
     * A later call replaces what an earlier one recorded.
     *
     * @param failure what the adopted code threw; not {@code null}
     * @throws NullPointerException if {@code failure} is {@code null}
     */
    public void endWith(Throwable failure) {
        this.failure = java.util.Objects.requireNonNull(failure, "failure");
    }

    /**
     * Ends the adoption: the thread leaves the registry, ends {@link Outcome#SUCCEEDED} (or as
     * {@link #endWith(Throwable)} recorded), and is a
     * plain thread again, with its interrupt flag cleared if a cancellation had set it (a pooled thread
     * must not go back to its pool interrupted). Idempotent; must be called by the adopted thread.
     *
     * @throws IllegalStateException if called from another thread
     */
    @Override
    public void close() {
        if (!closed) {
            kernel.release(control, failure);
            closed = true;
        }
    }
}
