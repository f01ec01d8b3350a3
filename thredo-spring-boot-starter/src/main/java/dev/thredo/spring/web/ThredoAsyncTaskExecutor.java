package dev.thredo.spring.web;

import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.function.Supplier;
import org.springframework.core.task.AsyncTaskExecutor;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;

/**
 * Spring MVC's executor for {@code Callable} and {@code WebAsyncTask} return values (set through
 * {@code WebMvcConfigurer.configureAsyncSupport}): in a request that runs under
 * {@link ThredoRequestFilter}, the callable runs as the request's async thread, a member of the
 * request's group under the request's deadline (see {@link AsyncRequest}). Spring submits it on the
 * request thread, so the request is found through {@link RequestContextHolder}.
 *
 * <p>Spring ends a callable it gave up on (its async timeout, a container error) by cancelling the
 * submitted future with an interrupt, <em>before</em> it sets its own result (a 503 for its timeout,
 * or a {@code WebAsyncTask}'s timeout callback's value); the interrupted callable would race it with
 * its {@code InterruptedException} as the result, a 500. So the future returned here does not
 * interrupt: the request's {@link AsyncRequest}, as a listener notified after Spring's own, cancels the
 * async thread once Spring has set its result.
 *
 * <p>Outside a thredo request (the kernel closed, a request the filter did not see), tasks go to the
 * executor Spring MVC would use without thredo ({@code fallback}).
 */
public class ThredoAsyncTaskExecutor implements AsyncTaskExecutor {

    private final Supplier<AsyncTaskExecutor> fallback;

    /**
     * Creates the executor; the web auto-configuration gives it to Spring MVC's async support.
     *
     * @param fallback the executor for tasks of requests that do not run under thredo, asked for on
     *     first use (and on every use after it: cache it in the supplier if it is costly to find)
     */
    public ThredoAsyncTaskExecutor(Supplier<AsyncTaskExecutor> fallback) {
        this.fallback = fallback;
    }

    @Override
    public void execute(Runnable task) {
        AsyncRequest async = currentAsyncRequest();
        if (async == null || !async.run(task)) {
            fallback.get().execute(task);
        }
    }

    @Override
    public Future<?> submit(Runnable task) {
        AsyncRequest async = currentAsyncRequest();
        if (async == null) {
            return fallback.get().submit(task);
        }
        FutureTask<Object> future = new FutureTask<>(task, null) {
            @Override
            public boolean cancel(boolean mayInterruptIfRunning) {
                return super.cancel(false); // the AsyncRequest cancels the thread, after Spring's result
            }
        };
        if (!async.run(future)) {
            return fallback.get().submit(task);
        }
        return future;
    }

    private static AsyncRequest currentAsyncRequest() {
        return RequestContextHolder.getRequestAttributes() instanceof ServletRequestAttributes attributes
                ? AsyncRequest.start(attributes.getRequest()) : null;
    }
}
