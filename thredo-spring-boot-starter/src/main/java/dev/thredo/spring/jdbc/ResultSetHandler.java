package dev.thredo.spring.jdbc;

import java.lang.reflect.Method;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * A {@link ResultSet} that fetches its rows from the database as they are read (a fetch size above
 * zero: PgJDBC's cursor in a transaction, a streaming {@code JdbcTemplate.queryForStream}). In a
 * thredo thread, its {@code next()} runs like a statement's execution, with the statement's cancel
 * action, since it may wait for the next batch of rows; its {@code close} is shielded.
 *
 * <p>A result set read in full by its statement's execution (a fetch size of zero, the default) does
 * no I/O as it is read: it is handed out as the driver made it, so reading rows costs nothing extra.
 */
final class ResultSetHandler extends JdbcProxy<ResultSet> {
    private final Statement statement;
    private final Statement statementTarget;

    private ResultSetHandler(ResultSet target, Statement statement, Statement statementTarget) {
        super(target);
        this.statement = statement;
        this.statementTarget = statementTarget;
    }

    /**
     * {@code rs} wrapped if it fetches as it is read, else itself.
     *
     * @param statement the statement proxy, what {@code getStatement()} returns
     * @param statementTarget the statement the cancel action cancels
     */
    static ResultSet wrap(ResultSet rs, Statement statement, Statement statementTarget) throws SQLException {
        if (rs == null || rs.getFetchSize() <= 0) {
            return rs;
        }
        return create(ResultSet.class, new ResultSetHandler(rs, statement, statementTarget));
    }

    @Override
    Object handle(Object proxy, Method method, Object[] args) throws Exception {
        switch (method.getName()) {
            case "next" -> {
                return JdbcCalls.inThredoThread()
                        ? JdbcCalls.cancellable("jdbc ResultSet.next", statementTarget, () -> call(method, args))
                        : call(method, args);
            }
            case "close" -> {
                return JdbcCalls.inThredoThread() ? JdbcCalls.shielded(() -> call(method, args)) : call(method, args);
            }
            case "getStatement" -> {
                return statement;
            }
            default -> {
                return call(method, args);
            }
        }
    }
}
