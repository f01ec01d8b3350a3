package dev.thredo.spring.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.thredo.Kernel;
import dev.thredo.ThreadCancelled;
import dev.thredo.Thredo;
import java.io.Closeable;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.aop.framework.Advised;

/** The wrapped data source: its type, {@code unwrap}, wrapping once, and {@code getConnection} as a delivery point. */
class ThredoDataSourceTest {
    private final StubJdbc stub = new StubJdbc();
    private final StubJdbc.StubDataSource real = new StubJdbc.StubDataSource(stub);

    @Test
    void keepsTheDataSourcesClassAndUnwrapsToIt() throws Exception {
        DataSource wrapped = ThredoDataSource.wrap(real);
        assertThat(wrapped).isInstanceOf(StubJdbc.StubDataSource.class).isNotSameAs(real);
        assertThat(ThredoDataSource.isWrapped(wrapped)).isTrue();
        assertThat(ThredoDataSource.isWrapped(real)).isFalse();
        assertThat(ThredoDataSource.wrap(wrapped)).isSameAs(wrapped);
        // the AOP proxy answers for its target: a StubDataSource forwarding every call to the real one
        assertThat(wrapped.unwrap(StubJdbc.StubDataSource.class)).isSameAs(wrapped);
        assertThat(wrapped.isWrapperFor(StubJdbc.StubDataSource.class)).isTrue();
        assertThat(((Advised) wrapped).getTargetSource().getTarget()).isSameAs(real);
        ((Closeable) wrapped).close();
        assertThat(real.isClosed()).isTrue();
        assertThat(((StubJdbc.StubDataSource) wrapped).isClosed()).isTrue();
    }

    @Test
    void aFinalDataSourceClassIsWrappedByItsInterfaces() throws Exception {
        FinalDataSource finalOne = new FinalDataSource(real);
        DataSource wrapped = ThredoDataSource.wrap(finalOne);
        assertThat(wrapped).isNotInstanceOf(FinalDataSource.class).isInstanceOf(Closeable.class);
        assertThat(ThredoDataSource.isWrapped(wrapped)).isTrue();
        assertThat(wrapped.unwrap(FinalDataSource.class)).isSameAs(finalOne);
        try (Connection c = wrapped.getConnection()) {
            assertThat(JdbcProxy.handlerOf(c)).isInstanceOf(ConnectionHandler.class);
        }
    }

    @Test
    void connectionsAndStatementsAreWrappedAndUnwrapToTheDrivers() throws Exception {
        DataSource wrapped = ThredoDataSource.wrap(real);
        try (Connection c = wrapped.getConnection()) {
            assertThat(JdbcProxy.handlerOf(c)).isInstanceOf(ConnectionHandler.class);
            assertThat(c.unwrap(Connection.class)).isSameAs(c);
            assertThat(c.isWrapperFor(Connection.class)).isTrue();
            assertThat(c).isEqualTo(c).isNotEqualTo(real.getConnection());
            assertThat(c.toString()).isEqualTo("StubConnection");
            assertThat(ConnectionHandler.wrap(c)).isSameAs(c);
            PreparedStatement ps = c.prepareStatement("select 1");
            assertThat(JdbcProxy.handlerOf(ps)).isInstanceOf(StatementHandler.class);
            assertThat(ps.unwrap(PreparedStatement.class)).isSameAs(ps);
            assertThat(ps.unwrap(Statement.class)).isSameAs(ps);
            assertThat(ps.getConnection()).isSameAs(c);
        }
    }

    @Test
    void aCancelledThreadIsNotHandedAConnection() throws Exception {
        DataSource wrapped = ThredoDataSource.wrap(real);
        try (Kernel kernel = Kernel.create()) {
            Throwable thrown = kernel.run(() -> {
                Thredo.current().requestCancel();
                return catchThrowable(wrapped::getConnection);
            });
            assertThat(thrown).isExactlyInstanceOf(ThreadCancelled.class);
        }
        assertThat(stub.calls).isEmpty();
    }

    /** A data source of a final class: no subclass proxy. */
    static final class FinalDataSource extends StubJdbc.PlainDataSource {
        private final DataSource delegate;

        FinalDataSource(DataSource delegate) {
            this.delegate = delegate;
        }

        @Override
        public Connection getConnection() throws java.sql.SQLException {
            return delegate.getConnection();
        }

        @Override
        public void close() {
        }
    }
}
