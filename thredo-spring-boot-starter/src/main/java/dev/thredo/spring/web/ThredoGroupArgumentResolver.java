package dev.thredo.spring.web;

import dev.thredo.ThredoGroup;
import org.springframework.core.MethodParameter;
import org.springframework.web.bind.support.WebDataBinderFactory;
import org.springframework.web.context.request.NativeWebRequest;
import org.springframework.web.context.request.RequestAttributes;
import org.springframework.web.method.support.HandlerMethodArgumentResolver;
import org.springframework.web.method.support.ModelAndViewContainer;

/** Resolves a handler parameter of type {@link ThredoGroup} to the request's group. */
public class ThredoGroupArgumentResolver implements HandlerMethodArgumentResolver {

    /**
     * Creates the resolver. The web auto-configuration adds one to Spring MVC's argument resolvers;
     * it is stateless, so one instance serves every request.
     */
    public ThredoGroupArgumentResolver() {
    }

    @Override
    public boolean supportsParameter(MethodParameter parameter) {
        return parameter.getParameterType() == ThredoGroup.class;
    }

    @Override
    public Object resolveArgument(MethodParameter parameter, ModelAndViewContainer mavContainer,
            NativeWebRequest webRequest, WebDataBinderFactory binderFactory) {
        Object group = webRequest.getAttribute(ThredoRequestFilter.GROUP_ATTRIBUTE, RequestAttributes.SCOPE_REQUEST);
        if (group instanceof ThredoGroup g) {
            return g;
        }
        return ThredoGroup.current().orElseThrow(() -> new IllegalStateException(
                "no request-scoped ThredoGroup for parameter '" + parameter.getParameterName()
                        + "': the thredo request integration is off (thredo.web.enabled=false, or the kernel is closed)"));
    }
}
