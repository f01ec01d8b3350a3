package dev.thredo.spring.security;

import dev.thredo.spring.problem.ProblemDetailWriter;
import dev.thredo.spring.problem.ThredoProblems;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.web.access.AccessDeniedHandler;
import org.springframework.security.web.access.AccessDeniedHandlerImpl;
import org.springframework.security.web.csrf.CsrfException;
import org.springframework.security.web.util.matcher.RequestMatcher;

/**
 * Answers a CSRF denial of a request to the thredo endpoint that carries credentials with a 403
 * problem of type {@link #CSRF_TOKEN_REQUIRED} saying so; leaves every other denial to Spring
 * Security's default handler.
 *
 * <p>Why: Spring Security's default answer is {@code sendError(403)}, whose error dispatch runs the
 * filter chain again, and there the request is not authenticated (the CSRF filter refused it before
 * the credentials were read), so the client sees a 401 Basic challenge although its credentials are
 * right. A request without credentials keeps that default: "log in first" is the right answer.
 */
final class CsrfProblemAccessDeniedHandler implements AccessDeniedHandler {

    /** The {@code type} of the problem this handler answers with. */
    static final URI CSRF_TOKEN_REQUIRED = ThredoProblems.CSRF_TOKEN_REQUIRED;

    private final RequestMatcher endpoint;
    private final ProblemDetailWriter problems;
    private final AccessDeniedHandler otherwise = new AccessDeniedHandlerImpl();

    /**
     * @param endpoint the requests to the thredo endpoint
     * @param problems writes the 403 problem
     */
    CsrfProblemAccessDeniedHandler(RequestMatcher endpoint, ProblemDetailWriter problems) {
        this.endpoint = endpoint;
        this.problems = problems;
    }

    @Override
    public void handle(HttpServletRequest request, HttpServletResponse response, AccessDeniedException denied)
            throws IOException, ServletException {
        // The matcher is checked here too: Spring Security uses a lone default handler for every path.
        if (!(denied instanceof CsrfException) || !endpoint.matches(request) || !carriesCredentials(request)) {
            otherwise.handle(request, response, denied);
            return;
        }
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.FORBIDDEN, "Missing or invalid CSRF "
                + "token. This application's security requires one on every state-changing request, credentials "
                + "or not (Spring Security's default). To cancel from a script with credentials alone, see "
                + "'Security' in the thredo README.");
        problem.setType(CSRF_TOKEN_REQUIRED);
        problem.setTitle("CSRF token required");
        problem.setInstance(ProblemDetailWriter.instanceOf(request));
        problems.write(response, problem);
    }

    private static boolean carriesCredentials(HttpServletRequest request) {
        if (request.getHeader(HttpHeaders.AUTHORIZATION) != null) {
            return true;
        }
        Authentication auth = SecurityContextHolder.getContext().getAuthentication();
        return auth != null && auth.isAuthenticated() && !(auth instanceof AnonymousAuthenticationToken);
    }
}
