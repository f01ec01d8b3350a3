package dev.thredo.spring.web;

import dev.thredo.ThreadCancelled;
import dev.thredo.Thredo;
import jakarta.servlet.http.HttpServletRequest;
import java.util.concurrent.Callable;
import org.springframework.web.context.request.NativeWebRequest;
import org.springframework.web.context.request.async.CallableProcessingInterceptor;
import org.springframework.web.context.request.async.DeferredResult;
import org.springframework.web.context.request.async.DeferredResultProcessingInterceptor;

/**
 * Spring MVC's async processing, told to the request's {@link AsyncRequest}:
 * <ul>
 *   <li>a {@code DeferredResult} (also what Spring makes of a {@code CompletableFuture}) gets the
 *       request's async thread waiting for it when processing starts, and wakes it when the result
 *       is set, or when Spring ends the async part itself (its async timeout, a container error, the
 *       request's completion);</li>
 *   <li>the end of a {@code Callable} run by the request's async thread is a delivery point: a
 *       cancellation or an expired deadline that came while it ran becomes the result, in place of
 *       whatever the callable made of it (an {@code InterruptedException}, an I/O error) or of a value
 *       it came back with too late; as a synchronous handler's response is (see
 *       {@link DeliveryPointResponse}).</li>
 * </ul>
 * Requests that do not run under {@link ThredoRequestFilter} are left alone.
 */
public class AsyncRequestInterceptor implements CallableProcessingInterceptor, DeferredResultProcessingInterceptor {

    /**
     * Creates the interceptor. The web auto-configuration registers one with Spring MVC's async
     * support; an application that configures MVC itself registers it as both a
     * {@code CallableProcessingInterceptor} and a {@code DeferredResultProcessingInterceptor}.
     */
    public AsyncRequestInterceptor() {
    }

    @Override
    public <T> void postProcess(NativeWebRequest request, Callable<T> task, Object concurrentResult) {
        AsyncRequest async = of(request);
        if (async != null && async.isAsyncThread()) {
            try {
                Thredo.checkCancellation();
            } catch (ThreadCancelled e) {
                Thread.interrupted(); // Spring dispatches the result next, on this thread
                throw e;
            }
        }
    }

    @Override
    public <T> void preProcess(NativeWebRequest request, DeferredResult<T> deferredResult) {
        HttpServletRequest servletRequest = request.getNativeRequest(HttpServletRequest.class);
        AsyncRequest async = servletRequest == null ? null : AsyncRequest.start(servletRequest);
        if (async != null) {
            async.await(deferredResult);
        }
    }

    @Override
    public <T> void postProcess(NativeWebRequest request, DeferredResult<T> deferredResult, Object concurrentResult) {
        settle(request);
    }

    @Override
    public <T> boolean handleTimeout(NativeWebRequest request, DeferredResult<T> deferredResult) {
        settle(request);
        return true;
    }

    @Override
    public <T> boolean handleError(NativeWebRequest request, DeferredResult<T> deferredResult, Throwable t) {
        settle(request);
        return true;
    }

    @Override
    public <T> void afterCompletion(NativeWebRequest request, DeferredResult<T> deferredResult) {
        settle(request);
    }

    private static void settle(NativeWebRequest request) {
        AsyncRequest async = of(request);
        if (async != null) {
            async.settled();
        }
    }

    private static AsyncRequest of(NativeWebRequest request) {
        HttpServletRequest servletRequest = request.getNativeRequest(HttpServletRequest.class);
        return servletRequest == null ? null : AsyncRequest.of(servletRequest);
    }
}
