package dev.thredo.demo;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import dev.thredo.spring.problem.ProblemDetailWriter;
import java.io.IOException;
import org.apache.tomcat.util.http.InvalidParameterException;
import org.springframework.core.Ordered;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.stereotype.Component;
import org.springframework.web.servlet.HandlerExceptionResolver;
import org.springframework.web.servlet.ModelAndView;

/**
 * Answers a query string or form body that Tomcat cannot decode (say {@code ?name=%ff%fe}, not UTF-8)
 * with a 400 problem body. Tomcat throws {@link InvalidParameterException} from the first
 * {@code getParameter} call, which for a handler (an actuator operation, a {@code @RequestParam}) is
 * inside Spring MVC; unresolved, it would reach the container as a servlet failure, be logged as an
 * ERROR with a stack trace on every such request, and end the request's thredo thread as failed.
 */
@Component
class InvalidParameterResolver implements HandlerExceptionResolver, Ordered {

    private final ProblemDetailWriter problems;

    InvalidParameterResolver(ProblemDetailWriter problems) {
        this.problems = problems;
    }

    @Override
    public ModelAndView resolveException(HttpServletRequest request, HttpServletResponse response, Object handler,
            Exception ex) {
        if (!(ex instanceof InvalidParameterException)) {
            return null;
        }
        try {
            ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST,
                    "The query string or form body is not valid (e.g. not UTF-8).");
            problem.setInstance(ProblemDetailWriter.instanceOf(request));
            problems.write(response, problem);
        } catch (IOException e) {
            return null; // nothing could be written: let the container answer
        }
        return new ModelAndView();
    }

    @Override
    public int getOrder() {
        // Before Spring's own resolvers, which would treat it as an unexpected failure; after thredo's
        // cancellation resolver (HIGHEST_PRECEDENCE + 1), which must see every failure first.
        return Ordered.HIGHEST_PRECEDENCE + 2;
    }
}
