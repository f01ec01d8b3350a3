package dev.thredo.spring.task;

import dev.thredo.Kernel;
import java.util.Objects;
import java.util.function.Supplier;
import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;
import org.springframework.aop.ProxyMethodInvocation;

/**
 * Behind Spring's {@code AsyncExecutionInterceptor}, on the executor's thread: the run of an
 * {@code @Async} method as a thredo thread named after it, renaming the adoption of
 * {@link ThredoTaskDecorator} or adopting the thread itself (an executor of the application's own);
 * linked to the caller's future ({@link AsyncCall}). A run of a {@code void} method that a
 * cancellation ends returns quietly instead of reaching the {@code AsyncUncaughtExceptionHandler},
 * which would log it as an error; for a method returning a future, what it threw goes into the future
 * as before (a cancelled future ignores it).
 */
final class AsyncRunInterceptor implements MethodInterceptor {

    private final Supplier<Kernel> kernel;

    AsyncRunInterceptor(Supplier<Kernel> kernel) {
        this.kernel = Objects.requireNonNull(kernel, "kernel");
    }

    @Override
    public Object invoke(MethodInvocation invocation) throws Throwable {
        AsyncCall call = invocation instanceof ProxyMethodInvocation proxied
                && proxied.getUserAttribute(AsyncCall.ATTRIBUTE) instanceof AsyncCall c ? c : null;
        String name = call != null ? call.name() : AsyncSubmitInterceptor.nameOf(invocation);
        if (call != null && call.isSubmitter(Thread.currentThread())) {
            return invocation.proceed(); // run in the caller's thread (a synchronous executor): the caller's business
        }
        TaskRun run = TaskRun.current();
        boolean adopted = false;
        if (run != null) {
            if (!run.claim(name)) {
                run = null; // a call nested in the task the run was claimed for
            }
        } else {
            run = TaskRun.adopt(kernel.get(), name, true);
            adopted = run != null;
        }
        if (run != null && call != null) {
            call.runsIn(run.thread());
        }
        try {
            return invocation.proceed();
        } catch (Throwable t) {
            if (run == null || !run.failedWith(t) || invocation.getMethod().getReturnType() != void.class) {
                throw t;
            }
            return null; // a cancelled void method: counted CANCELLED and logged once at INFO, no error
        } finally {
            if (adopted) {
                run.close();
            }
        }
    }
}
