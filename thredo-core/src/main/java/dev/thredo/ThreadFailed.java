package dev.thredo;

/**
 * Thrown by {@link ThredoThread#join()} when the thread did not return a value; {@link #getCause()}
 * is what the thread threw (a {@link ThreadCancelled} if it let a cancellation escape).
 */
public class ThreadFailed extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception for a thread that ended by throwing {@code cause}.
     *
     * @param message the detail message, naming the thread
     * @param cause what the thread threw: its {@link ThredoThread#exceptionNow()}
     */
    public ThreadFailed(String message, Throwable cause) {
        super(message, cause);
    }
}
