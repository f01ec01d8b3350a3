package dev.thredo;

/**
 * Thrown in a thredo thread at a blocking point after its cancellation was requested.
 *
 * <p>An {@link Error}, like the JDK's own {@code ThreadDeath}, so that the ubiquitous
 * {@code catch (Exception e)} does not swallow it. Cancellation is <em>level-triggered</em>:
 * catching this does not clear the request, and every later blocking thredo operation of the same
 * thread throws it again (use {@link Thredo#shield} for cleanup that must block).
 */
public class ThreadCancelled extends Error {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception with the given detail message. The kernel creates these at delivery
     * points; application code rarely needs to, except to end a thread as if it had been cancelled.
     *
     * @param message the detail message, saying what was cancelled or why; may be {@code null}
     */
    public ThreadCancelled(String message) {
        super(message);
    }
}
