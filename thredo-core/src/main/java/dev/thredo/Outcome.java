package dev.thredo;

/**
 * How a {@link ThredoThread} ended, or {@link #RUNNING} while it has not.
 *
 * <p>{@link #CANCELLED} exactly when cancellation was requested for the thread and it ended by
 * throwing anything (a {@link ThreadCancelled}, or for instance an exception wrapping the
 * {@link InterruptedException} the cancel caused). A thread that was asked to cancel but returned
 * normally {@link #SUCCEEDED}; any other exception, including a {@link ThreadTimeout} of the thread's
 * own {@link Thredo#timeoutAfter} that it let escape, is {@link #FAILED}.
 */
public enum Outcome {
    /** Not yet ended. */
    RUNNING,
    /** Returned normally. */
    SUCCEEDED,
    /** Threw, without a cancellation having been requested. */
    FAILED,
    /** Threw after a cancellation had been requested. */
    CANCELLED
}
