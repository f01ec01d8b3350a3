package dev.thredo;

/**
 * A block of code that returns a value and may throw {@code X}; the body of
 * {@link Thredo#timeoutAfter(java.time.Duration, Body)}, {@link Thredo#ignoreAfter(java.time.Duration, Body)}
 * and {@link Thredo#shield(Body)}. The type parameter keeps the caller's {@code throws} clause precise:
 * a lambda that throws nothing checked makes the call throw nothing checked.
 *
 * @param <T> the result type
 * @param <X> the checked exception the body may throw
 */
@FunctionalInterface
public interface Body<T, X extends Exception> {
    /**
     * Runs the body, in the thread that called the method it was passed to.
     *
     * @return the body's value, which the enclosing call returns
     * @throws X the body's checked exception, which leaves the enclosing call unchanged
     */
    T call() throws X;
}
