package dev.thredo.spring;

import dev.thredo.ThreadTimeout;

/**
 * The {@link ThreadTimeout} a {@link ThredoScoped} call throws when it exceeds its
 * {@link ThredoScoped#timeout() timeout}: names the method and the timeout as configured, so that
 * the request integration's 503 problem can say which timeout passed ({@code "1s"}, as written).
 */
public class ThredoScopedTimeout extends ThreadTimeout {
    private static final long serialVersionUID = 1L;

    /** The scoped method, as {@code "SimpleClassName.method"}. */
    private final String method;
    /** The timeout as configured, placeholders resolved. */
    private final String timeout;

    /**
     * Creates the exception; the {@code @ThredoScoped} interceptor does, when the call's own deadline
     * passed.
     *
     * @param method the scoped method, as {@code "SimpleClassName.method"}
     * @param timeout the timeout as configured, placeholders resolved ({@code "1s"})
     * @param cause the timeout of the call's {@code timeoutAfter} scope
     */
    public ThredoScopedTimeout(String method, String timeout, ThreadTimeout cause) {
        super(method + " exceeded its timeout of " + timeout, cause.observedAtNanos());
        this.method = method;
        this.timeout = timeout;
        initCause(cause);
    }

    /** {@return the scoped method, as {@code "SimpleClassName.method"}} */
    public String method() {
        return method;
    }

    /** {@return the timeout as configured, placeholders resolved ({@code "1s"})} */
    public String timeout() {
        return timeout;
    }
}
