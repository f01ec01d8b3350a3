package dev.thredo.spring.scope;

import dev.thredo.Adoption;
import dev.thredo.Body;
import dev.thredo.Kernel;
import dev.thredo.ThreadTimeout;
import dev.thredo.Thredo;
import dev.thredo.ThredoGroup;
import dev.thredo.spring.ThredoScoped;
import dev.thredo.spring.ThredoScopedTimeout;
import java.lang.reflect.Method;
import java.lang.reflect.UndeclaredThrowableException;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;
import org.springframework.aop.support.AopUtils;
import org.springframework.boot.convert.DurationStyle;
import org.springframework.core.MethodClassKey;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.core.env.PropertyResolver;
import org.springframework.util.ClassUtils;

/**
 * Runs a {@link ThredoScoped} call in its own {@link ThredoGroup}: opens it, proceeds, joins it as
 * the annotation's wait policy says and closes it, all inside {@link Thredo#timeoutAfter} when a
 * timeout is set. A caller that is not a thredo thread is adopted into the kernel for the call.
 */
public class ThredoScopedInterceptor implements MethodInterceptor {

    private static final Spec NOT_SCOPED = new Spec(null, null, null, null);


    private final Supplier<Kernel> kernel;
    private final PropertyResolver properties;
    private final Map<MethodClassKey, Spec> specs = new ConcurrentHashMap<>();

    /**
     * Creates the interceptor; the scope auto-configuration makes one for its advisor.
     *
     * @param kernel the kernel that adopts non-thredo callers (looked up on first need)
     * @param properties resolves placeholders in {@link ThredoScoped#timeout()}, once per method and
     *     target class
     * @throws NullPointerException if an argument is {@code null}
     */
    public ThredoScopedInterceptor(Supplier<Kernel> kernel, PropertyResolver properties) {
        this.kernel = Objects.requireNonNull(kernel, "kernel");
        this.properties = Objects.requireNonNull(properties, "properties");
    }

    @Override
    public Object invoke(MethodInvocation invocation) throws Throwable {
        Spec spec = spec(invocation);
        if (spec == NOT_SCOPED) {
            return invocation.proceed();
        }
        Adoption adoption = isThredoThread() ? null : kernel.get().adopt(spec.name());
        try {
            Body<Object, Exception> body = () -> inGroup(invocation, spec);
            if (spec.timeout() == null) {
                return body.call();
            }
            try {
                return Thredo.timeoutAfter(spec.timeout(), body);
            } catch (ThreadTimeout timeout) { // this scope's own: an inner one would have left as UncaughtTimeout
                throw new ThredoScopedTimeout(spec.name(), spec.timeoutText(), timeout);
            }
        } catch (UndeclaredThrowableException e) {
            Throwable thrown = e.getCause() instanceof Carried c ? c.getCause() : e;
            if (adoption != null) {
                adoption.endWith(thrown);
            }
            throw thrown;
        } catch (Throwable t) {
            if (adoption != null) {
                adoption.endWith(t);
            }
            throw t;
        } finally {
            if (adoption != null) {
                adoption.close();
            }
        }
    }

    private static Object inGroup(MethodInvocation invocation, Spec spec) throws Exception {
        try (ThredoGroup group = ThredoGroup.open(spec.name(), spec.policy())) {
            Object result = proceed(invocation);
            group.join();
            return result;
        }
    }

    private static Object proceed(MethodInvocation invocation) throws Exception {
        try {
            return invocation.proceed();
        } catch (Exception | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new UndeclaredThrowableException(new Carried(t));
        }
    }

    private Spec spec(MethodInvocation invocation) {
        Method method = invocation.getMethod();
        Object target = invocation.getThis();
        Class<?> targetClass = target != null ? AopUtils.getTargetClass(target) : method.getDeclaringClass();
        return specs.computeIfAbsent(new MethodClassKey(method, targetClass), k -> resolve(method, targetClass));
    }

    private Spec resolve(Method method, Class<?> targetClass) {
        if (method.getDeclaringClass() == Object.class) {
            return NOT_SCOPED;
        }
        Method specific = AopUtils.getMostSpecificMethod(method, targetClass);
        ThredoScoped scoped = AnnotatedElementUtils.findMergedAnnotation(specific, ThredoScoped.class);
        if (scoped == null && specific != method) {
            scoped = AnnotatedElementUtils.findMergedAnnotation(method, ThredoScoped.class);
        }
        if (scoped == null) {
            scoped = AnnotatedElementUtils.findMergedAnnotation(targetClass, ThredoScoped.class);
        }
        if (scoped == null) {
            return NOT_SCOPED;
        }
        String name = ClassUtils.getUserClass(targetClass).getSimpleName() + "." + method.getName();
        String timeoutText = properties.resolveRequiredPlaceholders(scoped.timeout()).trim();
        return new Spec(name, scoped.waitPolicy(), timeout(scoped.timeout(), timeoutText, name), timeoutText);
    }

    private static Duration timeout(String text, String resolved, String method) {
        if (resolved.isEmpty()) {
            return null;
        }
        Duration d;
        try {
            d = DurationStyle.detectAndParse(resolved);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("@ThredoScoped(timeout = \"" + text + "\") on " + method
                    + " is not a duration: '" + resolved + "'", e);
        }
        if (d.isNegative() || d.isZero()) {
            throw new IllegalStateException("@ThredoScoped(timeout = \"" + text + "\") on " + method
                    + " must be positive: " + d);
        }
        return d;
    }

    private static boolean isThredoThread() {
        return Thredo.currentIfAny().isPresent();
    }

    /** A scoped method: its group's name and policy, and its timeout as a duration and as configured. */
    private record Spec(String name, ThredoGroup.Wait policy, Duration timeout, String timeoutText) {
    }

    /** Carries a throwable that is neither an Exception nor an Error through a {@link Body}. */
    private static final class Carried extends Exception {
        Carried(Throwable cause) {
            super(cause);
        }
    }
}
