package dev.thredo.spring.web;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.core.Ordered;
import org.springframework.web.servlet.HandlerExceptionResolver;
import org.springframework.web.servlet.ModelAndView;

/**
 * Takes a handler failure caused by the request's cancellation or timeout away from the other
 * exception resolvers (an application's {@code @ExceptionHandler(Exception.class)} would turn it into
 * a 500): it marks the request as cancelled and resolves the failure with nothing rendered, so that
 * {@link ThredoRequestFilter} answers 503 once the request thread has left the kernel.
 *
 * <p>Acts only on requests that run under {@link ThredoRequestFilter}.
 */
public class ThredoCancellationExceptionResolver implements HandlerExceptionResolver, Ordered {

    /**
     * Creates the resolver. The web auto-configuration registers one ahead of Spring's own
     * resolvers; it is stateless, so one instance serves every request.
     */
    public ThredoCancellationExceptionResolver() {
    }

    @Override
    public ModelAndView resolveException(HttpServletRequest request, HttpServletResponse response, Object handler,
            Exception ex) {
        if (request.getAttribute(ThredoRequestFilter.GROUP_ATTRIBUTE) == null
                || !RequestCancellation.isCancellation(ex)) {
            return null;
        }
        request.setAttribute(ThredoRequestFilter.CANCELLED_ATTRIBUTE, RequestCancellation.early(ex));
        return new ModelAndView();
    }

    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE + 1;
    }
}
