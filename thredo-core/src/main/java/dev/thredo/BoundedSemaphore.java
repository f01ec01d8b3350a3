package dev.thredo;

/**
 * A {@link Semaphore} that never holds more permits than it started with: a {@link #release()}
 * that would exceed the initial count throws {@link IllegalStateException} (and changes nothing),
 * which catches a release without a matching acquire.
 */
public final class BoundedSemaphore extends Semaphore {
    /**
     * A bounded semaphore with {@code permits} initial (and at most) permits.
     *
     * @throws IllegalArgumentException if {@code permits} is negative
     */
    public BoundedSemaphore(int permits) {
        super(permits, permits);
    }
}
