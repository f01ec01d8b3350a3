package dev.thredo;

/**
 * A block of code that returns nothing and may throw {@code X}; the body of the void forms of
 * {@link Thredo#timeoutAfter(java.time.Duration, VoidBody)}, {@link Thredo#ignoreAfter(java.time.Duration, VoidBody)}
 * and {@link Thredo#shield(VoidBody)}.
 *
 * @param <X> the checked exception the body may throw
 */
@FunctionalInterface
public interface VoidBody<X extends Exception> {
    /**
     * Runs the body, in the thread that called the method it was passed to.
     *
     * @throws X the body's checked exception, which leaves the enclosing call unchanged
     */
    void run() throws X;
}
