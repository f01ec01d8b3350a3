package dev.thredo.spring.jdbc;

import dev.thredo.Body;
import dev.thredo.CancelAction;
import dev.thredo.ThreadCancelled;
import dev.thredo.Thredo;
import dev.thredo.VoidBody;
import java.sql.Statement;

/**
 * How a JDBC call runs in a thredo thread: the four ways the proxies of this package put a call under
 * the kernel, and the one place that asks whether the calling thread is a thredo thread at all.
 *
 * <ul>
 *   <li>{@link #cancellable}: a statement execution or a cursor fetch. Registers a
 *       {@link StatementCanceller} as the thread's cancel action, so a cancellation or an expired
 *       deadline cancels the statement in the database instead of interrupting the thread (an
 *       interrupt closes a virtual thread's socket, and with it the pooled connection).</li>
 *   <li>{@link #uninterrupted}: work on the connection that the database cannot cancel
 *       ({@code commit}). A delivery point first: a cancelled thread does not commit, it gets its
 *       {@link ThreadCancelled}. Once the call runs, a cancellation that arrives waits until it has
 *       returned, instead of breaking the connection.</li>
 *   <li>{@link #shielded}: cleanup that must happen even in a cancelled thread (close, rollback,
 *       resetting connection state). Runs in a {@link Thredo#shield shield}, which also clears a
 *       pending cancellation's interrupt flag for the span of the call and sets it again afterwards.</li>
 *   <li>{@link #acquire}: taking a connection from the data source. A delivery point first; the wait
 *       for a free pooled connection is then left to the interrupt as usual.</li>
 * </ul>
 * A call that fails while its thread is cancelled, or after its deadline, ends with the thredo
 * exception ({@link ThreadCancelled}, or {@link dev.thredo.ThreadTimeout}) whose cause is the
 * driver's exception ({@link #failed}).
 */
final class JdbcCalls {
    private static final VoidBody<RuntimeException> NOTHING = () -> {
    };

    private JdbcCalls() {
    }

    /** Whether the calling thread is a thredo thread; the proxies pass every call straight through otherwise. */
    static boolean inThredoThread() {
        return Thredo.currentIfAny().isPresent();
    }

    /**
     * Runs {@code call}, which executes {@code statement} or fetches its rows, with a cancel action
     * that cancels the statement in the database.
     *
     * @param blockedOn what the kernel lists the thread as blocked on during the call
     */
    static <T> T cancellable(String blockedOn, Statement statement, Body<T, Exception> call) throws Exception {
        StatementCanceller canceller = new StatementCanceller(statement);
        try {
            try (CancelAction registration = onCancel(blockedOn, canceller)) {
                try {
                    return call.call();
                } finally {
                    canceller.callReturned();
                }
            }
        } catch (Exception e) {
            throw failed(e);
        }
    }

    /** Runs {@code call} so that no interrupt reaches it; a cancellation pending before it is thrown instead. */
    static <T> T uninterrupted(String blockedOn, Body<T, Exception> call) throws Exception {
        try (CancelAction registration = onCancel(blockedOn, NOTHING)) {
            return call.call();
        }
    }

    /** Runs {@code call} with cancellation and deadlines held back, also in a cancelled thread. */
    static <T> T shielded(Body<T, Exception> call) throws Exception {
        return Thredo.shield(call);
    }

    /** Runs {@code call}, which takes a connection, unless a cancellation is pending. */
    static <T> T acquire(Body<T, Exception> call) throws Exception {
        Thredo.checkCancellation();
        try {
            return call.call();
        } catch (Exception e) {
            throw failed(e);
        }
    }

    /**
     * What a call that failed with {@code failure} throws: the pending cancellation or expired
     * deadline, with {@code failure} as its cause, if there is one; otherwise {@code failure}.
     *
     * <p>The cause, not a suppressed exception: the driver's exception is how the cancellation ended
     * the call, the same relation as between a {@code timeoutAfter} scope's {@code ThreadTimeout} and the
     * failure of a JDK call its deadline ended. Whoever looks for the SQL state finds it with
     * {@code getCause()}.
     */
    private static Exception failed(Exception failure) {
        try {
            Thredo.checkCancellation();
        } catch (ThreadCancelled cancelled) {
            try {
                cancelled.initCause(failure);
            } catch (IllegalStateException causeAlreadySet) {
                cancelled.addSuppressed(failure);
            }
            throw cancelled;
        }
        return failure;
    }

    /**
     * Registers {@code action} for the span of one JDBC call.
     *
     * @param blockedOn what the call is, as the kernel's listing shows the thread blocked on it while
     *     the registration is open: {@code "jdbc executeQuery"}, {@code "jdbc commit"}; never SQL text
     *     or parameters
     */
    private static CancelAction onCancel(String blockedOn, VoidBody<? extends Exception> action) {
        return Thredo.onCancel(blockedOn, action);
    }
}
