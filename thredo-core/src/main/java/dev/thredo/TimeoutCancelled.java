package dev.thredo;

/**
 * What an inner {@link Thredo#timeoutAfter} scope lets out when an <em>outer</em> deadline expired
 * (curio's {@code TimeoutCancellationError}). It is deliberately not a {@link ThreadTimeout}, so a
 * {@code catch (ThreadTimeout e)} retry loop inside the inner scope cannot swallow the outer
 * timeout; the outer scope turns it back into a {@code ThreadTimeout}.
 */
public class TimeoutCancelled extends ThreadCancelled {
    private static final long serialVersionUID = 1L;

    /** The {@link System#nanoTime()} reading at which the expiry was observed. */
    private final long observedAtNanos;

    /**
     * Creates the exception.
     *
     * @param message the detail message
     * @param observedAtNanos the {@link System#nanoTime()} value at which the expiry was observed
     */
    public TimeoutCancelled(String message, long observedAtNanos) {
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
