package dev.thredo.spring.jdbc;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;

/**
 * What the JDK dynamic proxies of this package share: the JDBC object they stand for, identity
 * {@code equals}/{@code hashCode}, and {@code unwrap}/{@code isWrapperFor} that see both the proxy
 * and, through it, the driver's or pool's object ({@code unwrap(PGConnection.class)} works as before).
 * Every method a subclass does not take over goes straight to the target.
 *
 * @param <T> the JDBC interface
 */
abstract class JdbcProxy<T> implements InvocationHandler {
    final T target;

    JdbcProxy(T target) {
        this.target = target;
    }

    /** A proxy of {@code type} whose calls {@code handler} handles. */
    static <I> I create(Class<I> type, JdbcProxy<?> handler) {
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, handler));
    }

    /** The handler of {@code object} if it is a proxy of this package, else {@code null}. */
    static JdbcProxy<?> handlerOf(Object object) {
        if (object != null && Proxy.isProxyClass(object.getClass())
                && Proxy.getInvocationHandler(object) instanceof JdbcProxy<?> handler) {
            return handler;
        }
        return null;
    }

    @Override
    public final Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
        switch (method.getName()) {
            case "equals":
                if (method.getParameterCount() == 1) {
                    return proxy == args[0];
                }
                break;
            case "hashCode":
                if (method.getParameterCount() == 0) {
                    return System.identityHashCode(proxy);
                }
                break;
            case "unwrap":
                if (args.length == 1 && args[0] instanceof Class<?> type && type.isInstance(proxy)) {
                    return proxy;
                }
                break;
            case "isWrapperFor":
                if (args.length == 1 && args[0] instanceof Class<?> type && type.isInstance(proxy)) {
                    return true;
                }
                break;
            default:
                break;
        }
        return handle(proxy, method, args);
    }

    /** Handles a call that is not one of the above. */
    abstract Object handle(Object proxy, Method method, Object[] args) throws Exception;

    /** Calls {@code method} on the target, throwing what it throws. */
    final Object call(Method method, Object[] args) throws Exception {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof Exception failure) {
                throw failure;
            }
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw e;
        }
    }
}
