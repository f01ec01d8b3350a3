package dev.thredo.spring.scope;

import dev.thredo.spring.ThredoScoped;
import java.util.Objects;
import org.aopalliance.aop.Advice;
import org.springframework.aop.Pointcut;
import org.springframework.aop.support.AbstractPointcutAdvisor;
import org.springframework.aop.support.ComposablePointcut;
import org.springframework.aop.support.annotation.AnnotationMatchingPointcut;

/** Applies {@link ThredoScopedInterceptor} to beans whose class or methods carry {@link ThredoScoped}. */
public class ThredoScopedAdvisor extends AbstractPointcutAdvisor {

    private final transient ThredoScopedInterceptor interceptor;
    private final transient Pointcut pointcut = new ComposablePointcut(
            new AnnotationMatchingPointcut(ThredoScoped.class, true))
            .union(new AnnotationMatchingPointcut(null, ThredoScoped.class, true));

    /**
     * Creates the advisor; the scope auto-configuration registers one as an infrastructure bean.
     *
     * @param interceptor what runs around each {@code @ThredoScoped} call
     * @throws NullPointerException if {@code interceptor} is {@code null}
     */
    public ThredoScopedAdvisor(ThredoScopedInterceptor interceptor) {
        this.interceptor = Objects.requireNonNull(interceptor, "interceptor");
    }

    @Override
    public Pointcut getPointcut() {
        return pointcut;
    }

    @Override
    public Advice getAdvice() {
        return interceptor;
    }
}
