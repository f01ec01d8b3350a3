package dev.thredo.spring.security;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.converter.HttpMessageConverter;
import org.springframework.http.converter.HttpMessageConverters;
import org.springframework.http.server.ServletServerHttpResponse;

/** The security answers' problem types and their writing (until the starter has one problem writer). */
final class SecurityProblems {

    private static final String TYPE_BASE = "https://github.com/thredo-dev/thredo-java/blob/main/README.md#";

    private SecurityProblems() {
    }

    static URI type(String anchor) {
        return URI.create(TYPE_BASE + anchor);
    }

    @SuppressWarnings("unchecked")
    static void write(HttpServletRequest request, HttpServletResponse response, ProblemDetail problem)
            throws IOException {
        problem.setInstance(URI.create(request.getRequestURI()));
        ServletServerHttpResponse out = new ServletServerHttpResponse(response);
        out.setStatusCode(HttpStatusCode.valueOf(problem.getStatus()));
        for (HttpMessageConverter<?> c : HttpMessageConverters.forServer().registerDefaults().build()) {
            if (c.canWrite(ProblemDetail.class, MediaType.APPLICATION_PROBLEM_JSON)) {
                ((HttpMessageConverter<Object>) c).write(problem, MediaType.APPLICATION_PROBLEM_JSON, out);
                break;
            }
        }
        out.flush();
    }
}
