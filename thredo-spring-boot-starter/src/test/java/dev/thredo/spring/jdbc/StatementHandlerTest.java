package dev.thredo.spring.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.thredo.Kernel;
import dev.thredo.Outcome;
import dev.thredo.ThreadCancelled;
import dev.thredo.ThreadInfo;
import dev.thredo.ThreadTimeout;
import dev.thredo.Thredo;
import dev.thredo.ThredoThread;
import dev.thredo.testing.KernelPolling;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Statements of a wrapped data source, against {@link StubJdbc}: the query timeout taken from the
 * deadline, the cancel action in place of the interrupt (also when its first cancel is lost), and
 * what a cancelled statement throws. Each on a virtual-thread and a platform-thread kernel.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class StatementHandlerTest {
    private final StubJdbc stub = new StubJdbc();
    private final DataSource dataSource = ThredoDataSource.wrap(new StubJdbc.StubDataSource(stub));

    static Kernel kernel(boolean virtual) {
        Kernel.Builder builder = Kernel.builder().name("jdbc-test");
        return (virtual ? builder.virtualThreads() : builder.platformThreads()).build();
    }

    @Test
    void queryTimeoutIsTheRemainingTimeInWholeSecondsRoundedUp() {
        assertThat(StatementHandler.queryTimeout(0, Duration.ofMillis(2500))).isEqualTo(3);
        assertThat(StatementHandler.queryTimeout(0, Duration.ofMillis(2000))).isEqualTo(2);
        assertThat(StatementHandler.queryTimeout(0, Duration.ofMillis(1))).isEqualTo(1);
        assertThat(StatementHandler.queryTimeout(0, Duration.ofMillis(-5))).isEqualTo(1);
        assertThat(StatementHandler.queryTimeout(1, Duration.ofSeconds(10))).isEqualTo(1);
        assertThat(StatementHandler.queryTimeout(3, Duration.ofMillis(2500))).isEqualTo(3);
        assertThat(StatementHandler.queryTimeout(30, Duration.ofMillis(2500))).isEqualTo(3);
        assertThat(StatementHandler.queryTimeout(0, Duration.ofDays(100_000))).isEqualTo(Integer.MAX_VALUE);
    }

    @ParameterizedTest(name = "virtual={0}")
    @ValueSource(booleans = {true, false})
    void withoutADeadlineAStatementGetsNoQueryTimeout(boolean virtual) throws Exception {
        try (Kernel kernel = kernel(virtual); Connection c = dataSource.getConnection()) {
            kernel.run(() -> c.createStatement().executeQuery("select 1"));
        }
        assertThat(stub.statements.getFirst().queryTimeoutAtExecution).isZero();
        assertThat(stub.calls).doesNotContain("Statement.setQueryTimeout");
    }

    @ParameterizedTest(name = "virtual={0}")
    @ValueSource(booleans = {true, false})
    void theDeadlineBecomesTheQueryTimeoutForTheCallOnly(boolean virtual) throws Exception {
        try (Kernel kernel = kernel(virtual); Connection c = dataSource.getConnection()) {
            kernel.run(() -> {
                Statement s = c.createStatement();
                Thredo.timeoutAfter(Duration.ofMillis(2500), () -> s.executeQuery("select 1"));
                assertThat(s.getQueryTimeout()).isZero();
                s.setQueryTimeout(30);
                Thredo.timeoutAfter(Duration.ofMillis(300), () -> s.execute("select 1"));
                assertThat(s.getQueryTimeout()).isEqualTo(30);
                s.setQueryTimeout(1);
                Thredo.timeoutAfter(Duration.ofSeconds(10), () -> s.executeUpdate("update t set x = 1"));
                assertThat(s.getQueryTimeout()).isEqualTo(1);
                return null;
            });
        }
        StubJdbc.Stmt s = stub.statements.getFirst();
        assertThat(s.queryTimeoutAtExecution).isEqualTo(1); // the last execution kept its own, smaller one
        assertThat(stub.calls.stream().filter(call -> call.startsWith("Statement.setQueryTimeout")
                || call.startsWith("Statement.execute")).map(call -> call.substring("Statement.".length())))
                .containsExactly(
                        "setQueryTimeout", "executeQuery", "setQueryTimeout", // 3 s for the call, then 0 again
                        "setQueryTimeout", // the application's 30 s
                        "setQueryTimeout", "execute", "setQueryTimeout", // 1 s for the call, then 30 again
                        "setQueryTimeout", "executeUpdate"); // the application's 1 s, kept
    }

    @Test
    void aDeadlinesTimeoutIsRecordedAtExecution() throws Exception {
        try (Kernel kernel = kernel(true); Connection c = dataSource.getConnection()) {
            kernel.run(() -> Thredo.timeoutAfter(Duration.ofMillis(2500),
                    () -> c.prepareStatement("select 1").executeQuery()));
        }
        assertThat(stub.statements.getFirst().queryTimeoutAtExecution).isEqualTo(3);
        assertThat(stub.statements.getFirst().queryTimeout).isZero();
    }

    @Test
    void outsideAThredoThreadAStatementIsUntouched() throws Exception {
        stub.execution = StubJdbc.Stmt::blockUntilCancelled;
        try (Connection c = dataSource.getConnection()) {
            Statement s = c.createStatement();
            s.setQueryTimeout(7);
            Thread.currentThread().interrupt(); // no thredo thread: nothing shields the driver from it
            assertThatThrownBy(() -> s.executeQuery("select pg_sleep(30)")).isInstanceOf(SQLException.class)
                    .hasMessage("interrupted");
            assertThat(Thread.interrupted()).isTrue();
            assertThat(stub.statements.getFirst().queryTimeoutAtExecution).isEqualTo(7);
        }
        assertThat(stub.calls).containsExactly("DataSource.getConnection", "Connection.createStatement",
                "Statement.setQueryTimeout", "Statement.executeQuery", "Connection.close");
    }

    @ParameterizedTest(name = "virtual={0}")
    @ValueSource(booleans = {true, false})
    void aCancelCancelsTheStatementInsteadOfInterruptingTheThread(boolean virtual) throws Exception {
        stub.execution = StubJdbc.Stmt::blockUntilCancelled;
        try (Kernel kernel = kernel(virtual)) {
            ThredoThread<Object> t = kernel.spawn(() -> {
                try (Connection c = dataSource.getConnection()) {
                    return c.createStatement().executeQuery("select pg_sleep(30)");
                }
            });
            // listed as blocked on the kind of call, never its SQL
            ThreadInfo listed = KernelPolling.awaitThread(kernel,
                    i -> i.id() == t.id() && "jdbc executeQuery".equals(i.blockedOn()));
            assertThat(listed.state()).isEqualTo(ThreadInfo.State.BLOCKED);
            t.requestCancel();
            t.await();
            assertThat(t.outcome()).isEqualTo(Outcome.CANCELLED);
            assertThat(t.exceptionNow()).isExactlyInstanceOf(ThreadCancelled.class)
                    .cause().isInstanceOf(SQLException.class).hasMessageContaining("canceling statement");
        }
        assertThat(stub.statements.getFirst().cancels.get()).isPositive();
        assertThat(stub.interruptedIn).isEmpty();
        assertThat(stub.calls).endsWith("Connection.close");
    }

    @ParameterizedTest(name = "virtual={0}")
    @ValueSource(booleans = {true, false})
    void anExpiredDeadlineCancelsTheStatementAndEndsInThreadTimeout(boolean virtual) throws Exception {
        stub.execution = StubJdbc.Stmt::blockUntilCancelled;
        try (Kernel kernel = kernel(virtual); Connection c = dataSource.getConnection()) {
            Throwable thrown = kernel.run(() -> {
                long t0 = System.nanoTime();
                Throwable t = catchThrowable(() -> Thredo.timeoutAfter(Duration.ofMillis(200),
                        () -> c.createStatement().executeQuery("select pg_sleep(30)")));
                assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(2));
                assertThat(Thread.currentThread().isInterrupted()).isFalse(); // nothing leaks out of the scope
                return t;
            });
            assertThat(thrown).isExactlyInstanceOf(ThreadTimeout.class).cause().isInstanceOf(SQLException.class);
        }
        assertThat(stub.interruptedIn).isEmpty();
    }

    @ParameterizedTest(name = "virtual={0}")
    @ValueSource(booleans = {true, false})
    void aCancelThatTheDriverLosesIsRepeatedUntilTheCallReturns(boolean virtual) throws Exception {
        stub.lostCancels = 2; // as PgJDBC's cancel() before the query has started: a no-op
        stub.execution = StubJdbc.Stmt::blockUntilCancelled;
        try (Kernel kernel = kernel(virtual); Connection c = dataSource.getConnection()) {
            Throwable thrown = kernel.run(() -> catchThrowable(() -> Thredo.timeoutAfter(Duration.ofMillis(100),
                    () -> c.createStatement().executeQuery("select pg_sleep(30)"))));
            assertThat(thrown).isInstanceOf(ThreadTimeout.class);
        }
        StubJdbc.Stmt s = stub.statements.getFirst();
        int cancels = s.cancels.get();
        assertThat(cancels).as("two lost, the third one ends the call").isGreaterThanOrEqualTo(3);
        Thread.sleep(3 * StatementCanceller.INTERVAL_MILLIS);
        assertThat(s.cancels.get()).as("none once the call has returned").isEqualTo(cancels);
    }

    @ParameterizedTest(name = "virtual={0}")
    @ValueSource(booleans = {true, false})
    void aCallThatNoCancelEndsHasItsConnectionAborted(boolean virtual) throws Exception {
        stub.lostCancels = Integer.MAX_VALUE; // as PgJDBC once its one cancel reached an idle backend
        stub.execution = StubJdbc.Stmt::blockUntilCancelled;
        try (Kernel kernel = kernel(virtual); Connection c = dataSource.getConnection()) {
            Throwable thrown = kernel.run(() -> catchThrowable(() -> Thredo.timeoutAfter(Duration.ofMillis(100),
                    () -> c.createStatement().executeQuery("select pg_sleep(30)"))));
            assertThat(thrown).isInstanceOf(ThreadTimeout.class).cause().isInstanceOf(SQLException.class)
                    .extracting(e -> ((SQLException) e).getSQLState()).isEqualTo("08006");
        }
        StubJdbc.Stmt s = stub.statements.getFirst();
        assertThat(s.aborted).isTrue();
        assertThat(s.cancels.get()).as("cancelled again and again before the abort").isGreaterThan(1);
        assertThat(stub.calls).contains("Connection.abort");
    }

    @Test
    void aFailureWithoutCancellationOrDeadlineIsTheDriversOwn() throws Exception {
        SQLException syntax = new SQLException("syntax error", "42601");
        stub.execution = s -> {
            throw syntax;
        };
        try (Kernel kernel = kernel(true); Connection c = dataSource.getConnection()) {
            Throwable thrown = kernel.run(() -> catchThrowable(() -> Thredo.timeoutAfter(Duration.ofSeconds(10),
                    () -> c.createStatement().executeQuery("selec 1"))));
            assertThat(thrown).isSameAs(syntax);
        }
    }

    @Test
    void aCancelledThreadDoesNotStartAStatement() throws Exception {
        try (Kernel kernel = kernel(true); Connection c = dataSource.getConnection()) {
            PreparedStatement ps = c.prepareStatement("update t set x = 1");
            Throwable thrown = kernel.run(() -> {
                Thredo.current().requestCancel();
                return catchThrowable(ps::executeUpdate);
            });
            assertThat(thrown).isExactlyInstanceOf(ThreadCancelled.class);
        }
        assertThat(stub.calls).doesNotContain("Statement.executeUpdate");
    }

    @Test
    void resultSetsThatFetchAsTheyAreReadAreWrapped() throws Exception {
        try (Kernel kernel = kernel(true); Connection c = dataSource.getConnection()) {
            kernel.run(() -> {
                Statement s = c.createStatement();
                ResultSet whole = s.executeQuery("select 1");
                assertThat(Proxy.isProxyClass(whole.getClass())
                        && Proxy.getInvocationHandler(whole) instanceof ResultSetHandler).isFalse();
                s.setFetchSize(100);
                ResultSet fetching = s.executeQuery("select 1");
                assertThat(Proxy.getInvocationHandler(fetching)).isInstanceOf(ResultSetHandler.class);
                assertThat(fetching.getStatement()).isSameAs(s);
                assertThat(s.getConnection()).isSameAs(c);
                assertThat(fetching.next()).isFalse();
                fetching.close();
                return null;
            });
        }
        assertThat(stub.calls).contains("Statement.executeQuery");
    }
}
