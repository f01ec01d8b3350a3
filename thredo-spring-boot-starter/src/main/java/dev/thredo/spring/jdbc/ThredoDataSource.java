package dev.thredo.spring.jdbc;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.UndeclaredThrowableException;
import java.sql.Connection;
import java.util.Arrays;
import javax.sql.DataSource;
import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;
import org.springframework.aop.framework.Advised;
import org.springframework.aop.framework.AopConfigException;
import org.springframework.aop.framework.ProxyFactory;

/**
 * Wraps a {@link DataSource} so that the JDBC statements run on its connections in thredo threads
 * end, in the database, when their thread is cancelled or their deadline passes, and the kernel's
 * interrupt never reaches a connection (see {@link ConnectionHandler}, {@link StatementHandler}).
 *
 * <p>The wrapper is a Spring AOP proxy of the data source that takes over only
 * {@code getConnection()} and {@code getConnection(user, password)}: a delivery point in a thredo
 * thread (a cancelled thread is not handed a pooled connection; a pool validating an idle one would
 * be hit by the interrupt), then the connection is wrapped. Every other method goes to the data
 * source itself. It proxies the data source's class where it can (a CGLIB subclass; interfaces only
 * for a final class), so the bean keeps its type: a {@code HikariDataSource} stays one for injection
 * by type, for {@code @ConditionalOnBean(HikariDataSource.class)}, and for the destroy method its bean
 * definition names or Spring infers ({@code close}, {@code shutdown}), which reach the real data
 * source. {@code unwrap(HikariDataSource.class)} and Boot's {@code DataSourceUnwrapper} return the
 * proxy itself then (Spring AOP never lets a proxy hand out its target as {@code this}): a
 * {@code HikariDataSource} whose every method is the pool's, and whose connections are still wrapped.
 * For a final class, the proxy implements the data source's interfaces, and {@code unwrap} to the
 * class returns the data source itself.
 *
 * <p>Connections from {@code createConnectionBuilder()} are not wrapped (none of the pools Boot
 * configures supports it). Data sources layered as beans that are each wrapped (a
 * {@code LazyConnectionDataSourceProxy} bean over the pool bean) nest their connection proxies, which
 * is correct (the innermost registration cancels the statement, the outer ones pass its thredo
 * exception through) and costs a second proxy call per JDBC call.
 */
public final class ThredoDataSource {

    private ThredoDataSource() {
    }

    /**
     * Wraps {@code dataSource} as the class comment says. Idempotent: wrapping a wrapper returns it.
     *
     * @param dataSource the data source to wrap; it stays the target of every call but
     *     {@code getConnection}, and its life cycle stays its owner's
     * @return a proxy of {@code dataSource} (of its class where possible, else of its interfaces);
     *     {@code dataSource} itself if it is wrapped already
     */
    public static DataSource wrap(DataSource dataSource) {
        if (isWrapped(dataSource)) {
            return dataSource;
        }
        ProxyFactory factory = new ProxyFactory(dataSource);
        factory.addAdvice(new ConnectionInterceptor());
        factory.setProxyTargetClass(!Modifier.isFinal(dataSource.getClass().getModifiers()));
        try {
            return (DataSource) factory.getProxy();
        } catch (AopConfigException | IllegalStateException | IllegalArgumentException e) {
            // a class CGLIB cannot subclass (no visible constructor, a sealed package): its interfaces
            factory.setProxyTargetClass(false);
            return (DataSource) factory.getProxy();
        }
    }

    /**
     * Whether {@code dataSource} is a data source {@link #wrap} returned.
     *
     * @param dataSource any object, {@code null} included
     * @return {@code true} if it is a proxy made by {@link #wrap}; {@code false} for anything else,
     *     including a data source that merely wraps one (a delegating data source bean)
     */
    public static boolean isWrapped(Object dataSource) {
        return dataSource instanceof Advised advised
                && Arrays.stream(advised.getAdvisors()).anyMatch(a -> a.getAdvice() instanceof ConnectionInterceptor);
    }

    /** Takes over {@code getConnection}; every other call goes on to the data source. */
    private static final class ConnectionInterceptor implements MethodInterceptor {
        @Override
        public Object invoke(MethodInvocation invocation) throws Throwable {
            Method method = invocation.getMethod();
            if (method.getReturnType() != Connection.class || !method.getName().equals("getConnection")) {
                return invocation.proceed();
            }
            Connection connection = JdbcCalls.inThredoThread()
                    ? JdbcCalls.acquire(() -> (Connection) proceed(invocation))
                    : (Connection) invocation.proceed();
            return ConnectionHandler.wrap(connection);
        }

        private static Object proceed(MethodInvocation invocation) throws Exception {
            try {
                return invocation.proceed();
            } catch (Exception | Error e) {
                throw e;
            } catch (Throwable t) {
                throw new UndeclaredThrowableException(t);
            }
        }
    }
}
