package dev.thredo.spring.jdbc;

import dev.thredo.VoidBody;
import java.sql.Connection;
import java.sql.Statement;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The cancel action of one JDBC call: {@link Statement#cancel()}, repeated every
 * {@value #INTERVAL_MILLIS} ms until the call has returned; if it has not returned after
 * {@value #ABORT_AFTER_MILLIS} ms, the connection is {@linkplain Connection#abort aborted}.
 *
 * <h2>Why once is not enough</h2>
 * The registration opens just before the driver is called, and the kernel may run the action at
 * any moment after that: also before the driver has sent the query. Drivers ignore a cancel for a
 * statement that is not running (PgJDBC's {@code cancel()} returns at once while the statement is
 * idle, so that a late cancel never hits the connection's next query), so a cancellation that lands
 * in that gap would be lost, and the query would run to its end, with nothing left to stop it: the
 * action runs at most once per registration.
 *
 * <p>So the action keeps cancelling until the call has returned. The thread calls
 * {@link #callReturned()} as soon as the driver has returned, before it closes the registration; the
 * action wakes up from its wait on that at once, so closing the registration (which waits for a
 * running action) costs the thread at most one {@code cancel()} in flight, never an interval. A
 * repeated cancel is cheap and safe: drivers gate it on the statement running (PgJDBC's second
 * cancel of the same execution is a no-op; one that finds the statement idle does nothing), and no
 * cancel can reach a later statement, because the action has ended when the registration's
 * {@code close} returns.
 *
 * <h2>Why the connection may be aborted</h2>
 * One cancel can be lost for good: PgJDBC marks the execution running just before it writes the
 * query, and PostgreSQL ignores a cancel request that reaches the backend while it is still reading
 * the command; the driver then treats every later {@code cancel()} of that execution as done. The
 * query would run to its end. A call still running {@value #ABORT_AFTER_MILLIS} ms after the first
 * cancel is therefore ended by {@link Connection#abort}: the driver closes the connection's socket,
 * the call fails at once, and the pool discards the connection instead of keeping it. That costs
 * one pooled connection in a rare race, never a thread held for the rest of a query.
 *
 * <p>Other ways were weighed: a query timeout would bound the lost cancel only for deadlines, and
 * only to whole seconds; asking the driver whether the statement has started is not in the JDBC API;
 * a driver-specific cancel of the connection's current query would tie the starter to one driver.
 */
final class StatementCanceller implements VoidBody<Exception> {
    /** How long the action waits for the call to return before it cancels again. */
    static final long INTERVAL_MILLIS = 50;
    /** How long the action keeps cancelling before it aborts the connection of a call still running. */
    static final long ABORT_AFTER_MILLIS = 5_000;

    private static final long ABORT_AFTER_NANOS = TimeUnit.MILLISECONDS.toNanos(ABORT_AFTER_MILLIS);

    private final Statement statement;
    private final CountDownLatch returned = new CountDownLatch(1);

    StatementCanceller(Statement statement) {
        this.statement = statement;
    }

    /** Runs on the kernel's delivery thread, at most once. */
    @Override
    public void run() throws Exception {
        long abortAt = System.nanoTime() + ABORT_AFTER_NANOS;
        do {
            statement.cancel();
            if (returned.await(INTERVAL_MILLIS, TimeUnit.MILLISECONDS)) {
                return;
            }
        } while (System.nanoTime() - abortAt < 0);
        // The call is still running: its cancel was lost for good (see the class comment).
        statement.getConnection().abort(Runnable::run);
    }

    /** Called by the thread as soon as the driver call has returned (or thrown). */
    void callReturned() {
        returned.countDown();
    }
}
