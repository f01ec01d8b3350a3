package dev.thredo.spring.jdbc;

import dev.thredo.VoidBody;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The cancel action of one JDBC call: {@link Statement#cancel()}, repeated every
 * {@value #INTERVAL_MILLIS} ms until the call has returned.
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
 * <p>Other ways were weighed: a query timeout would bound the lost cancel only for deadlines, and
 * only to whole seconds; asking the driver whether the statement has started is not in the JDBC API.
 * The repetition is bounded ({@value #LIMIT_SECONDS} s) so that a driver or database that never
 * honours a cancel does not keep a delivery thread busy for the life of the call; the thread then
 * shows as stuck in the kernel's listing.
 */
final class StatementCanceller implements VoidBody<Exception> {
    /** How long the action waits for the call to return before it cancels again. */
    static final long INTERVAL_MILLIS = 50;
    /** How long the action keeps cancelling at most. */
    static final long LIMIT_SECONDS = 5;

    private static final long LIMIT_NANOS = Duration.ofSeconds(LIMIT_SECONDS).toNanos();

    private final Statement statement;
    private final CountDownLatch returned = new CountDownLatch(1);

    StatementCanceller(Statement statement) {
        this.statement = statement;
    }

    /** Runs on the kernel's delivery thread, at most once. */
    @Override
    public void run() throws Exception {
        long giveUpAt = System.nanoTime() + LIMIT_NANOS;
        do {
            statement.cancel();
        } while (!returned.await(INTERVAL_MILLIS, TimeUnit.MILLISECONDS) && System.nanoTime() - giveUpAt < 0);
    }

    /** Called by the thread as soon as the driver call has returned (or thrown). */
    void callReturned() {
        returned.countDown();
    }
}
