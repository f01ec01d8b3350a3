package dev.thredo;

/**
 * Thrown at a blocking point when a deadline of {@link Thredo#timeoutAfter} has passed, and out of
 * the outermost expired {@code timeoutAfter} scope.
 *
 * <p>The exception records the {@link System#nanoTime()} reading at which the expiry was observed;
 * scopes use it on their way out to decide which of them expired (see {@link Thredo#timeoutAfter}).
 */
public class ThreadTimeout extends ThreadCancelled {
    private static final long serialVersionUID = 1L;

    /** The {@link System#nanoTime()} reading at which the expiry was observed. */
    private final long observedAtNanos;

    /**
     * Creates the exception.
     *
     * @param message the detail message
     * @param observedAtNanos the {@link System#nanoTime()} value at which the expiry was observed
     */
    public ThreadTimeout(String message, long observedAtNanos) {
        super(message);
        this.observedAtNanos = observedAtNanos;
    }

    /**
     * {@return the {@link System#nanoTime()} reading at which the expiry was observed} Only
     * differences to other {@code nanoTime} readings of the same JVM mean anything.
     */
    public long observedAtNanos() {
        return observedAtNanos;
    }
}
