package dev.thredo.spring.jdbc;

import java.lang.reflect.Method;
import java.sql.Connection;
import java.sql.Statement;

/**
 * A {@link Connection} that keeps the kernel's interrupt away from the connection's socket in a
 * thredo thread: an interrupt closes a virtual thread's socket, and the pool then throws the
 * connection away. Its statements are {@linkplain StatementHandler cancelled in the database}; its
 * own calls that talk to the database run as {@link JdbcCalls} says:
 * <ul>
 *   <li><b>shielded</b>, because they must run even in a cancelled thread, which is when they are
 *       called most ({@code JdbcTemplate} and the transaction manager clean up in {@code finally}):
 *       {@code close} (a pool's rollback of a dirty connection and its state reset),
 *       {@code rollback}, {@code releaseSavepoint}, and the setters a transaction manager and a pool
 *       use to set up and reset a connection ({@code setAutoCommit}, which also commits an open
 *       transaction, {@code setReadOnly}, {@code setTransactionIsolation}, {@code setCatalog},
 *       {@code setSchema}, {@code setClientInfo}, {@code setHoldability}), and {@code isValid};</li>
 *   <li><b>uninterrupted</b>, because they do work a cancelled thread should not start, but the
 *       database cannot cancel once started: {@code commit} (a cancelled thread's transaction is rolled
 *       back instead), {@code setSavepoint}, and the getters PgJDBC answers with a query
 *       ({@code getTransactionIsolation}, {@code getSchema}).</li>
 * </ul>
 * The rest (creating statements, client-side getters and settings, {@code setNetworkTimeout}, and
 * {@code abort}, which is meant for another thread) goes straight to the driver.
 * {@code getMetaData()} is not wrapped: the queries of {@code DatabaseMetaData} are neither cancelled
 * nor protected.
 */
final class ConnectionHandler extends JdbcProxy<Connection> {

    private ConnectionHandler(Connection target) {
        super(target);
    }

    /** {@code connection} as a proxy of this package; itself if it is one already. */
    static Connection wrap(Connection connection) {
        if (connection == null || handlerOf(connection) != null) {
            return connection;
        }
        return create(Connection.class, new ConnectionHandler(connection));
    }

    @Override
    Object handle(Object proxy, Method method, Object[] args) throws Exception {
        String name = method.getName();
        switch (name) {
            case "createStatement", "prepareStatement", "prepareCall" -> {
                return StatementHandler.wrap(method.getReturnType().asSubclass(Statement.class),
                        (Statement) call(method, args), (Connection) proxy);
            }
            case "close", "rollback", "releaseSavepoint", "setAutoCommit", "setReadOnly", "setTransactionIsolation",
                    "setCatalog", "setSchema", "setClientInfo", "setHoldability", "isValid" -> {
                return JdbcCalls.inThredoThread() ? JdbcCalls.shielded(() -> call(method, args)) : call(method, args);
            }
            case "commit", "setSavepoint", "getTransactionIsolation", "getSchema" -> {
                return JdbcCalls.inThredoThread()
                        ? JdbcCalls.uninterrupted("jdbc " + name, () -> call(method, args))
                        : call(method, args);
            }
            default -> {
                return call(method, args);
            }
        }
    }
}
