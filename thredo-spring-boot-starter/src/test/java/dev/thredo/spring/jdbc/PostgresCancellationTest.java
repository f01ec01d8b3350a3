package dev.thredo.spring.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.fail;

import com.zaxxer.hikari.HikariPoolMXBean;
import dev.thredo.Kernel;
import dev.thredo.Outcome;
import dev.thredo.ThreadCancelled;
import dev.thredo.ThreadTimeout;
import dev.thredo.Thredo;
import dev.thredo.ThredoThread;
import dev.thredo.testing.KernelPolling;
import dev.thredo.testing.NoWarnings;
import dev.thredo.testing.Polling;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.StatementCallback;

/**
 * Statements on a real PostgreSQL, through a HikariCP pool wrapped as the starter wraps a
 * {@code DataSource} bean, and {@code JdbcTemplate}: a deadline or a cancel ends a running query in the
 * database long before the query's 30 s would (within {@link #GENEROUS}: a bound that catches a lost
 * cancel, not a speed goal), with the thredo exception, and the pool keeps every connection, logging
 * nothing; a statement outside a thredo thread, or without a deadline, is left alone; deadlines and
 * cancels racing short queries never break a connection. Each on a virtual-thread and a
 * platform-thread kernel.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
@ExtendWith(NoWarnings.class)
class PostgresCancellationTest {
    private static final String SLEEP_30 = "select pg_sleep(30)";
    /** Far below the query's 30 s, far above what a cancelled query takes to end on a loaded machine. */
    private static final Duration GENEROUS = Duration.ofSeconds(10);
    /** The statement of {@link #sleepingStatement} while it runs. */
    private static final AtomicReference<Statement> RUNNING = new AtomicReference<>();

    private static EmbeddedPostgresSupport pg;
    private static DataSource dataSource;
    private static JdbcTemplate jdbc;
    /** A connection of its own, outside the pool, that watches {@code pg_stat_activity}. */
    private static Connection observer;

    @BeforeAll
    static void startPostgres() throws Exception {
        pg = EmbeddedPostgresSupport.start();
        dataSource = ThredoDataSource.wrap(pg.dataSource());
        jdbc = new JdbcTemplate(dataSource);
        observer = pg.postgres().getPostgresDatabase().getConnection();
    }

    @AfterAll
    static void stopPostgres() throws SQLException {
        try (Connection c = observer) {
            // closed before the server stops
        } finally {
            if (pg != null) {
                pg.close();
            }
        }
    }

    @ParameterizedTest(name = "virtual={0}")
    @ValueSource(booleans = {true, false})
    void aDeadlineCancelsTheQueryInTheDatabase(boolean virtual) throws Exception {
        int total = awaitFullPool();
        try (Kernel kernel = StatementHandlerTest.kernel(virtual)) {
            long[] elapsed = new long[1];
            Throwable thrown = kernel.run(() -> {
                long t0 = System.nanoTime();
                Throwable t = catchThrowable(() -> Thredo.timeoutAfter(Duration.ofSeconds(1),
                        () -> jdbc.queryForObject(SLEEP_30, String.class)));
                elapsed[0] = System.nanoTime() - t0;
                return t;
            });
            long seen = System.nanoTime();
            assertThat(thrown).isExactlyInstanceOf(ThreadTimeout.class)
                    .cause().isInstanceOf(SQLException.class).hasMessageContaining("canceling statement");
            assertThat(Duration.ofNanos(elapsed[0])).isLessThan(GENEROUS);
            assertThat(awaitNoSleepingQuery(seen)).isLessThan(GENEROUS);
        }
        assertPoolHealthy(total);
    }

    @ParameterizedTest(name = "virtual={0}")
    @ValueSource(booleans = {true, false})
    void aCancelCancelsTheQueryInTheDatabase(boolean virtual) throws Exception {
        int total = awaitFullPool();
        try (Kernel kernel = StatementHandlerTest.kernel(virtual)) {
            ThredoThread<String> t = kernel.spawn("report", () -> jdbc.queryForObject(SLEEP_30, String.class));
            KernelPolling.awaitThread(kernel, i -> i.id() == t.id() && "jdbc executeQuery".equals(i.blockedOn()));
            Thread.sleep(1000);
            long t0 = System.nanoTime();
            t.requestCancel();
            t.await();
            long seen = System.nanoTime();
            assertThat(Duration.ofNanos(seen - t0)).isLessThan(GENEROUS);
            assertThat(t.outcome()).isEqualTo(Outcome.CANCELLED);
            assertThat(t.exceptionNow()).isExactlyInstanceOf(ThreadCancelled.class)
                    .cause().isInstanceOf(SQLException.class).hasMessageContaining("canceling statement");
            assertThat(awaitNoSleepingQuery(seen)).isLessThan(GENEROUS);
        }
        assertPoolHealthy(total);
    }

    @ParameterizedTest(name = "virtual={0}")
    @ValueSource(booleans = {true, false})
    void aCancelThatArrivesBeforeTheQueryHasStartedIsNotLost(boolean virtual) throws Exception {
        int total = awaitFullPool();
        try (Kernel kernel = StatementHandlerTest.kernel(virtual);
             Connection c = pg.dataSource().getConnection();
             Statement statement = c.createStatement()) {
            AtomicInteger cancels = new AtomicInteger();
            Statement counting = (Statement) Proxy.newProxyInstance(Statement.class.getClassLoader(),
                    new Class<?>[] {Statement.class}, (proxy, method, args) -> {
                        Object result = method.invoke(statement, args);
                        if (method.getName().equals("cancel")) {
                            // counted once it has returned, so the query below starts only after the
                            // first cancel found the statement idle (counted before, it could race in)
                            cancels.incrementAndGet();
                        }
                        return result;
                    });
            ThredoThread<Object> t = kernel.spawn(() -> JdbcCalls.cancellable("jdbc executeQuery", counting, () -> {
                // the cancel's action has run before the driver was called: PgJDBC ignored it (statement idle)
                Polling.until("the action has cancelled once", () -> cancels.get() > 0);
                return statement.executeQuery(SLEEP_30);
            }));
            KernelPolling.awaitThread(kernel, i -> i.id() == t.id() && "jdbc executeQuery".equals(i.blockedOn()));
            t.requestCancel();
            long t0 = System.nanoTime();
            t.await();
            Duration ended = Duration.ofNanos(System.nanoTime() - t0);
            assertThat(t.outcome()).isEqualTo(Outcome.CANCELLED);
            assertThat(t.exceptionNow()).isExactlyInstanceOf(ThreadCancelled.class)
                    .cause().isInstanceOf(SQLException.class).hasMessageContaining("canceling statement");
            assertThat(cancels.get()).as("the first cancel was lost, a later one was not").isGreaterThan(1);
            assertThat(ended).isLessThan(GENEROUS);
        }
        assertPoolHealthy(total);
    }

    @Test
    void outsideAThredoThreadAStatementRunsAsBefore() throws Exception {
        assertThat(jdbc.queryForObject("select 1", Integer.class)).isEqualTo(1);
        assertThat(queryTimeoutWhileRunning(() -> jdbc.execute(sleepingStatement(7)))).isEqualTo(7);
    }

    @ParameterizedTest(name = "virtual={0}")
    @ValueSource(booleans = {true, false})
    void aStatementGetsAQueryTimeoutOnlyFromADeadline(boolean virtual) throws Exception {
        try (Kernel kernel = StatementHandlerTest.kernel(virtual)) {
            assertThat(queryTimeoutWhileRunning(() -> kernel.run(() -> jdbc.execute(sleepingStatement(0)))))
                    .as("no deadline: no query timeout").isZero();
            assertThat(queryTimeoutWhileRunning(() -> kernel.run(() -> Thredo.timeoutAfter(Duration.ofMillis(4500),
                    () -> jdbc.execute(sleepingStatement(0)))))).as("4.5 s left: 5 s").isEqualTo(5);
            assertThat(queryTimeoutWhileRunning(() -> kernel.run(() -> Thredo.timeoutAfter(Duration.ofSeconds(60),
                    () -> jdbc.execute(sleepingStatement(3)))))).as("its own, smaller one").isEqualTo(3);
        }
    }

    @ParameterizedTest(name = "virtual={0}")
    @ValueSource(booleans = {true, false})
    void deadlinesAndCancelsRacingShortQueriesNeverBreakAConnection(boolean virtual) throws Exception {
        int total = awaitFullPool();
        Random random = new Random(virtual ? 1 : 2);
        Map<String, Integer> outcomes = new TreeMap<>();
        String query = "select 1 from pg_sleep(0.01)";
        try (Kernel kernel = StatementHandlerTest.kernel(virtual)) {
            for (int round = 0; round < 120; round++) {
                long delayMicros = random.nextLong(1_000, 25_000);
                String outcome;
                if (round % 2 == 0) {
                    Throwable t = kernel.run(() -> catchThrowable(() -> Thredo.timeoutAfter(
                            Duration.ofNanos(delayMicros * 1000), () -> jdbc.queryForObject(query, Integer.class))));
                    if (t != null && !(t instanceof ThreadTimeout)) {
                        fail("round " + round + ": neither a result nor ThreadTimeout", t);
                    }
                    outcome = t == null ? "result" : "ThreadTimeout";
                } else {
                    ThredoThread<Integer> t = kernel.spawn(() -> jdbc.queryForObject(query, Integer.class));
                    LockSupport.parkNanos(delayMicros * 1000);
                    t.requestCancel();
                    t.await();
                    if (t.outcome() == Outcome.CANCELLED && t.exceptionNow().getClass() == ThreadCancelled.class) {
                        outcome = "ThreadCancelled";
                    } else if (t.outcome() == Outcome.SUCCEEDED) {
                        outcome = "result";
                    } else {
                        throw new AssertionError("round " + round + ": " + t.outcome(), t.exceptionNow());
                    }
                }
                outcomes.merge(outcome, 1, Integer::sum);
            }
        }
        assertThat(outcomes).containsKeys("result", "ThreadTimeout", "ThreadCancelled");
        assertPoolHealthy(total);
    }

    /** A statement callback running {@code pg_sleep(0.5)}, with its own query timeout set first (0: none). */
    private static StatementCallback<Boolean> sleepingStatement(int ownTimeout) {
        return s -> {
            if (ownTimeout > 0) {
                s.setQueryTimeout(ownTimeout);
            }
            RUNNING.set(s);
            try {
                return s.execute("select pg_sleep(0.5)");
            } finally {
                RUNNING.set(null);
            }
        };
    }

    /** Runs {@code call} and returns the largest query timeout its statement had while it ran. */
    private static int queryTimeoutWhileRunning(Callable<?> call) throws Exception {
        AtomicInteger largest = new AtomicInteger(-1);
        Thread observer = Thread.ofPlatform().name("query-timeout-observer").start(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                Statement s = RUNNING.get();
                if (s != null) {
                    try {
                        largest.accumulateAndGet(s.getQueryTimeout(), Math::max);
                    } catch (SQLException closed) {
                        // finished meanwhile
                    }
                }
                LockSupport.parkNanos(1_000_000);
            }
        });
        try {
            call.call();
        } finally {
            observer.interrupt();
            observer.join();
        }
        return largest.get();
    }

    /** Waits until the pool has all its connections, and returns how many that is. */
    private static int awaitFullPool() {
        int size = pg.dataSource().getMaximumPoolSize();
        Polling.until("the pool is full", () -> pool().getTotalConnections() == size);
        return size;
    }

    /** Polls until no other session runs {@code pg_sleep(30)}; returns how long that took after {@code since}. */
    private static Duration awaitNoSleepingQuery(long since) {
        Polling.until("pg_sleep(30) is no longer active", () -> {
            try (Statement s = observer.createStatement();
                 ResultSet rs = s.executeQuery("select count(*) from pg_stat_activity where state = 'active'"
                         + " and query = '" + SLEEP_30 + "' and pid <> pg_backend_pid()")) {
                rs.next();
                return rs.getInt(1) == 0;
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        });
        return Duration.ofNanos(System.nanoTime() - since);
    }

    /** The pool gave every connection back, threw none away, and answers the next query. */
    private static void assertPoolHealthy(int total) throws Exception {
        Polling.until("every connection is back in the pool", () -> pool().getActiveConnections() == 0);
        assertThat(pool().getTotalConnections()).as("connections in the pool").isEqualTo(total);
        assertThat(jdbc.queryForObject("select 1", Integer.class)).isEqualTo(1);
        try (Kernel kernel = Kernel.create()) {
            assertThat(kernel.run(() -> Thredo.timeoutAfter(Duration.ofSeconds(5),
                    () -> jdbc.queryForObject("select 2", Integer.class)))).isEqualTo(2);
        }
    }

    private static HikariPoolMXBean pool() {
        return pg.dataSource().getHikariPoolMXBean();
    }
}
