package dev.thredo;

import java.time.Duration;

/**
 * Observes the threads of a {@link Kernel}, for metrics and logs; registered with
 * {@link Kernel.Builder#listener(KernelListener)}.
 *
 * <p>Callbacks run on the thread concerned (the spawner for {@link #threadStarted}, the ending
 * thread for {@link #threadEnded}), on the kernel's hot paths: they must be fast, must not block,
 * and must not throw (an exception is caught and ignored).
 */
public interface KernelListener {
    /** A thread was spawned or adopted. */
    default void threadStarted(ThredoThread<?> thread) {
    }

    /**
     * A thread ended with {@code outcome}.
     *
     * @param cancelLatency from its cancellation request to its end, or {@code null} if it was not
     *     asked to cancel
     */
    default void threadEnded(ThredoThread<?> thread, Outcome outcome, Duration cancelLatency) {
    }
}
