package dev.thredo;

import java.time.Duration;

/**
 * Observes the threads of a {@link Kernel}, for metrics and logs; registered with
 * {@link Kernel.Builder#listener(KernelListener)}.
 *
 * <p>Callbacks run on the thread concerned (the spawner for {@link #threadStarted}, the ending
 * thread for {@link #threadEnded}), on the kernel's hot paths: they must be fast, must not block,
 * and should not throw. Whatever one throws ({@code Error}s included) is caught: the kernel's own
 * bookkeeping and the other listeners are unaffected, and the kernel logs the listener's first
 * failure (once per listener).
 */
public interface KernelListener {
    /**
     * A thread was spawned or adopted; called before it runs (for a spawned thread, before
     * {@code Thread.start}).
     *
     * @param thread the new thread; it is already in the kernel's registry
     */
    default void threadStarted(ThredoThread<?> thread) {
    }

    /**
     * A thread ended with {@code outcome}.
     *
     * @param thread the thread that ended, already gone from the kernel's registry;
     *     {@link ThredoThread#outcome()} may still read
     *     {@code RUNNING} here (use {@code outcome})
     * @param outcome how it ended: never {@link Outcome#RUNNING}
     * @param cancelLatency from its cancellation request to its end, or {@code null} if it was not
     *     asked to cancel
     */
    default void threadEnded(ThredoThread<?> thread, Outcome outcome, Duration cancelLatency) {
    }
}
