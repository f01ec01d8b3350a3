package dev.thredo;

/**
 * A {@link Semaphore} that never holds more permits than it started with: a {@link #release()}
 * that would exceed the initial count throws {@link IllegalStateException} (and changes nothing),
 * which catches a release without a matching acquire. Fairness, blocking and cancellation as for
 * {@link Semaphore}.
 */
public final class BoundedSemaphore extends Semaphore {
    /**
     * A non-fair bounded semaphore with {@code permits} initial (and at most) permits.
     *
     * @param permits the permits available at first, and the most it will ever hold; zero or more
     * @throws IllegalArgumentException if {@code permits} is negative
     */
    public BoundedSemaphore(int permits) {
        this(permits, false);
    }

    /**
     * A bounded semaphore with {@code permits} initial (and at most) permits.
     *
     * @param permits the permits available at first, and the most it will ever hold; zero or more
     * @param fair {@code true} for strict FIFO hand-off to the longest waiter
     * @throws IllegalArgumentException if {@code permits} is negative
     */
    public BoundedSemaphore(int permits, boolean fair) {
        super(permits, permits, fair);
    }
}
