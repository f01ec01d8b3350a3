package dev.thredo.spring.task;

import java.lang.reflect.Method;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;
import org.springframework.aop.ProxyMethodInvocation;
import org.springframework.aop.support.AopUtils;
import org.springframework.core.MethodClassKey;
import org.springframework.util.ClassUtils;

/**
 * In front of Spring's {@code AsyncExecutionInterceptor}, on the caller's thread: names the call
 * ({@code "@Async MailService.send"}) for {@link AsyncRunInterceptor}, which runs behind it on the
 * executor's thread, and links the {@link CompletableFuture} the method returns to the run, so that
 * cancelling the future cancels the run.
 */
final class AsyncSubmitInterceptor implements MethodInterceptor {

    private final Map<MethodClassKey, String> names = new ConcurrentHashMap<>();

    @Override
    public Object invoke(MethodInvocation invocation) throws Throwable {
        if (!(invocation instanceof ProxyMethodInvocation proxied)) {
            return invocation.proceed();
        }
        AsyncCall call = new AsyncCall(name(invocation));
        proxied.setUserAttribute(AsyncCall.ATTRIBUTE, call);
        Object result = invocation.proceed();
        if (result instanceof CompletableFuture<?> future) {
            call.linkTo(future);
        }
        return result;
    }

    private String name(MethodInvocation invocation) {
        Method method = invocation.getMethod();
        Object target = invocation.getThis();
        Class<?> targetClass = target != null ? AopUtils.getTargetClass(target) : method.getDeclaringClass();
        return names.computeIfAbsent(new MethodClassKey(method, targetClass), k -> nameOf(invocation));
    }

    /** {@code "@Async MailService.send"}: the bean's class as declared (not a proxy's), the method. */
    static String nameOf(MethodInvocation invocation) {
        Method method = invocation.getMethod();
        Object target = invocation.getThis();
        Class<?> targetClass = target != null ? AopUtils.getTargetClass(target) : method.getDeclaringClass();
        return "@Async " + ClassUtils.getUserClass(targetClass).getSimpleName() + "." + method.getName();
    }
}
