package dev.thredo.spring.jdbc;

import dev.thredo.Thredo;
import java.lang.reflect.Method;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * A {@link Statement}, {@link java.sql.PreparedStatement} or {@link java.sql.CallableStatement} whose
 * executions, in a thredo thread, end with the thread's cancellation or deadline, in the database.
 *
 * <p>Each {@code execute*} call ({@code execute}, {@code executeQuery}, {@code executeUpdate},
 * {@code executeLargeUpdate}, {@code executeBatch}, {@code executeLargeBatch}, in every overload):
 * <ul>
 *   <li>gets a query timeout from the effective deadline ({@link Thredo#deadline()}), in whole seconds
 *       rounded up and at least 1, unless the statement has a smaller one of its own (an application's,
 *       or the one Spring derives from a transaction timeout); the statement's own timeout is put back
 *       after the call. The timeout is the database's backstop: the cancel action below normally ends
 *       the statement when the deadline passes, a second or less earlier;</li>
 *   <li>runs {@linkplain JdbcCalls#cancellable with a cancel action}: a cancellation or an expired
 *       deadline {@linkplain StatementCanceller cancels the statement} instead of interrupting the
 *       thread, and the statement's failure then ends with the thredo exception;</li>
 *   <li>hands out its result sets {@linkplain ResultSetHandler wrapped} when they fetch rows from the
 *       database as they are read (a fetch size above zero).</li>
 * </ul>
 * Its {@code close} is shielded, like the connection's (MySQL's closes a server-side prepared
 * statement over the wire). Outside a thredo thread a statement runs as it would without this proxy;
 * inside a {@linkplain Thredo#shield shield}, only a deadline set inside the shield ends it.
 */
final class StatementHandler extends JdbcProxy<Statement> {
    private final Connection connection;

    private StatementHandler(Statement target, Connection connection) {
        super(target);
        this.connection = connection;
    }

    /** {@code statement} as a proxy of {@code type}, whose {@code getConnection()} is {@code connection}. */
    static <S extends Statement> S wrap(Class<S> type, Statement statement, Connection connection) {
        return statement == null ? null : create(type, new StatementHandler(statement, connection));
    }

    @Override
    Object handle(Object proxy, Method method, Object[] args) throws Exception {
        String name = method.getName();
        if (name.startsWith("execute")) {
            if (!JdbcCalls.inThredoThread()) {
                return call(method, args);
            }
            Object result = execute("jdbc " + name, method, args);
            return result instanceof ResultSet rs ? ResultSetHandler.wrap(rs, (Statement) proxy, target) : result;
        }
        switch (name) {
            case "getResultSet", "getGeneratedKeys" -> {
                return ResultSetHandler.wrap((ResultSet) call(method, args), (Statement) proxy, target);
            }
            case "getConnection" -> {
                return connection;
            }
            case "close" -> {
                return JdbcCalls.inThredoThread() ? JdbcCalls.shielded(() -> call(method, args)) : call(method, args);
            }
            default -> {
                return call(method, args);
            }
        }
    }

    /** Runs the execution with its cancel action and, for the call, the query timeout of the deadline. */
    private Object execute(String blockedOn, Method method, Object[] args) throws Exception {
        return JdbcCalls.cancellable(blockedOn, target, () -> {
            Optional<Instant> deadline = Thredo.deadline();
            int own = deadline.isEmpty() ? 0 : target.getQueryTimeout();
            int timeout = deadline.isEmpty() ? 0 : queryTimeout(own, Duration.between(Instant.now(), deadline.get()));
            if (timeout == own) {
                return call(method, args);
            }
            target.setQueryTimeout(timeout);
            try {
                return call(method, args);
            } finally {
                restoreQueryTimeout(own);
            }
        });
    }

    /**
     * The query timeout, in seconds, for a statement whose own is {@code own} seconds ({@code 0}: none)
     * with {@code remaining} until the deadline: the remaining time rounded up to whole seconds, at least
     * 1, or {@code own} if that is smaller.
     */
    static int queryTimeout(int own, Duration remaining) {
        long millis = Math.max(remaining.toMillis(), 0);
        long seconds = Math.max(1, (millis + 999) / 1000);
        if (own > 0 && own <= seconds) {
            return own;
        }
        return (int) Math.min(seconds, Integer.MAX_VALUE);
    }

    private void restoreQueryTimeout(int own) {
        try {
            target.setQueryTimeout(own);
        } catch (SQLException closedMeanwhile) {
            // the statement was closed under the call (its connection aborted): nothing left to restore
        }
    }
}
