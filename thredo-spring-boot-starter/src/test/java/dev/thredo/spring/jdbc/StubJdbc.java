package dev.thredo.spring.jdbc;

import java.io.Closeable;
import java.io.PrintWriter;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * A driver stand-in for the tests where a real database is not the point: it records every call
 * made on its connection and statements (and whether the calling thread's interrupt flag was set
 * during it), keeps a statement's query timeout and fetch size, and executes statements as the test
 * says, e.g. {@linkplain Stmt#blockUntilCancelled() until cancelled}, never by an interrupt.
 */
final class StubJdbc {

    /** What an execution of a stub statement does. */
    @FunctionalInterface
    interface Execution {
        Object run(Stmt statement) throws SQLException;
    }

    /** What a call of the stub connection does. */
    @FunctionalInterface
    interface ConnectionCall {
        Object run(String method) throws SQLException;
    }

    /** Every call on the connection, its statements and result sets, as {@code "Type.method"}. */
    final List<String> calls = new CopyOnWriteArrayList<>();
    /** The calls during which the calling thread's interrupt flag was set. */
    final List<String> interruptedIn = new CopyOnWriteArrayList<>();
    /** The statements created, in order. */
    final List<Stmt> statements = new CopyOnWriteArrayList<>();
    /** How many of each statement's first cancels are lost, as when a driver has not started the query yet. */
    volatile int lostCancels;
    /** What executing a statement does; by default returns an empty, fully read result set. */
    volatile Execution execution = s -> s.resultSet(0);
    /** What a connection call without a stub answer does after being recorded; may throw or block. */
    volatile ConnectionCall onConnectionCall = method -> null;

    /**
     * What every test data source shares but its connections: no log writer, no login timeout, a
     * {@code getConnection(user, password)} that ignores both, and {@code unwrap} to its own types only.
     */
    abstract static class PlainDataSource implements DataSource, Closeable {
        @Override
        public Connection getConnection(String username, String password) throws SQLException {
            return getConnection();
        }

        @Override
        public PrintWriter getLogWriter() {
            return null;
        }

        @Override
        public void setLogWriter(PrintWriter out) {
        }

        @Override
        public void setLoginTimeout(int seconds) {
        }

        @Override
        public int getLoginTimeout() {
            return 0;
        }

        @Override
        public Logger getParentLogger() {
            return Logger.getGlobal();
        }

        @Override
        public <T> T unwrap(Class<T> iface) throws SQLException {
            if (iface.isInstance(this)) {
                return iface.cast(this);
            }
            throw new SQLException("not a wrapper for " + iface);
        }

        @Override
        public boolean isWrapperFor(Class<?> iface) {
            return iface.isInstance(this);
        }
    }

    /** A data source of stub connections; a plain class, so that a class proxy can subclass it. */
    static class StubDataSource extends PlainDataSource {
        final StubJdbc jdbc;
        private volatile boolean closed;

        StubDataSource(StubJdbc jdbc) {
            this.jdbc = jdbc;
        }

        @Override
        public Connection getConnection() {
            jdbc.calls.add("DataSource.getConnection");
            return jdbc.connection();
        }

        @Override
        public void close() {
            closed = true;
        }

        /** Whether it was closed (a method, so that it answers for the data source a class proxy forwards to). */
        public boolean isClosed() {
            return closed;
        }

        void markClosed() {
            closed = true;
        }
    }

    /** One stub statement's state. */
    final class Stmt {
        volatile int queryTimeout;
        volatile int fetchSize;
        /** The query timeout the statement had while it executed. */
        volatile int queryTimeoutAtExecution = -1;
        final AtomicInteger cancels = new AtomicInteger();
        private final CountDownLatch cancelled = new CountDownLatch(1);
        private final AtomicInteger lost = new AtomicInteger(lostCancels);
        /** Whether its connection was aborted while it executed. */
        volatile boolean aborted;

        void cancel() {
            cancels.incrementAndGet();
            if (lost.getAndDecrement() <= 0) {
                cancelled.countDown();
            }
        }

        /** Ends an execution as a driver does when its connection is aborted: with a connection failure. */
        void abort() {
            aborted = true;
            cancelled.countDown();
        }

        /**
         * Waits, as a driver does for its query, until cancelled (or its connection aborted), and fails
         * like a cancelled query (or a broken connection). An interrupt does not end it: it is recorded.
         */
        Object blockUntilCancelled() throws SQLException {
            try {
                while (!cancelled.await(1, TimeUnit.MILLISECONDS)) {
                    Thread.onSpinWait();
                }
            } catch (InterruptedException e) {
                interruptedIn.add("Statement.execute");
                Thread.currentThread().interrupt();
                throw new SQLException("interrupted", "08006", e);
            }
            if (aborted) {
                throw new SQLException("An I/O error occurred while sending to the backend.", "08006");
            }
            throw new SQLException("ERROR: canceling statement due to user request", "57014");
        }

        /** A result set with {@code rows} rows, of this statement's fetch size. */
        ResultSet resultSet(int rows) {
            int[] left = {rows};
            return proxy(ResultSet.class, (proxy, method, args) -> switch (method.getName()) {
                case "next" -> left[0]-- > 0;
                case "getFetchSize" -> fetchSize;
                case "getInt" -> 1;
                default -> null;
            });
        }
    }

    /** A fresh stub connection. */
    Connection connection() {
        return proxy(Connection.class, (proxy, method, args) -> {
            record("Connection." + method.getName());
            return switch (method.getName()) {
                case "createStatement" -> statement((Connection) proxy, Statement.class);
                case "prepareStatement" -> statement((Connection) proxy, PreparedStatement.class);
                case "abort" -> {
                    statements.forEach(Stmt::abort);
                    yield null;
                }
                case "isValid", "getAutoCommit" -> true;
                case "getTransactionIsolation" -> Connection.TRANSACTION_READ_COMMITTED;
                case "toString" -> "StubConnection";
                case "hashCode" -> 1;
                case "equals" -> proxy == args[0];
                default -> onConnectionCall.run(method.getName());
            };
        });
    }

    private <S extends Statement> S statement(Connection connection, Class<S> type) {
        Stmt s = new Stmt();
        statements.add(s);
        return proxy(type, (proxy, method, args) -> {
            String name = method.getName();
            record("Statement." + name);
            if (name.startsWith("execute")) {
                s.queryTimeoutAtExecution = s.queryTimeout;
                Object result = execution.run(s);
                return switch (method.getReturnType().getName()) {
                    case "boolean" -> result instanceof ResultSet;
                    case "int" -> 1;
                    case "long" -> 1L;
                    default -> result;
                };
            }
            return switch (name) {
                case "getConnection" -> connection;
                case "getQueryTimeout" -> s.queryTimeout;
                case "setQueryTimeout" -> {
                    s.queryTimeout = (Integer) args[0];
                    yield null;
                }
                case "getFetchSize" -> s.fetchSize;
                case "setFetchSize" -> {
                    s.fetchSize = (Integer) args[0];
                    yield null;
                }
                case "cancel" -> {
                    s.cancel();
                    yield null;
                }
                case "toString" -> "StubStatement";
                case "hashCode" -> 2;
                case "equals" -> proxy == args[0];
                default -> null;
            };
        });
    }

    private void record(String call) {
        if (call.endsWith(".cancel")) {
            calls.add(call); // from the delivery thread, whose interrupt flag is not the point
            return;
        }
        calls.add(call);
        if (Thread.currentThread().isInterrupted()) {
            interruptedIn.add(call);
        }
    }

    private static <T> T proxy(Class<T> type, InvocationHandler handler) {
        return type.cast(Proxy.newProxyInstance(StubJdbc.class.getClassLoader(), new Class<?>[] {type}, handler));
    }

    /** The calls recorded so far on the connection (not statements), in order. */
    List<String> connectionCalls() {
        return calls.stream().filter(c -> c.startsWith("Connection.")).toList();
    }
}
