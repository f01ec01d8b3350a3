package dev.thredo;

/**
 * A {@link ThreadTimeout} escaped from an inner {@link Thredo#timeoutAfter} scope through an
 * enclosing scope whose own deadline had not passed: a bug in the code between the two scopes,
 * which should have caught it. Not a cancellation; the original timeout is the cause.
 */
public class UncaughtTimeout extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception with the escaped timeout as its cause.
     *
     * @param message the detail message
     * @param cause the {@link ThreadTimeout} or {@link TimeoutCancelled} that escaped its scope
     */
    public UncaughtTimeout(String message, Throwable cause) {
        super(message, cause);
    }
}
