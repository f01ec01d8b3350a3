package dev.thredo.demo;

import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import tools.jackson.databind.json.JsonMapper;

/**
 * RFC 9457 problem bodies for the answers Spring MVC does not render itself: security denials
 * ({@link SecurityConfig}), the error page ({@link ProblemErrorController}) and requests Tomcat
 * rejects before any servlet runs ({@link ProblemErrorReportValve}).
 */
final class Problems {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private Problems() {
    }

    /** The problem body for {@code status}; {@code instance} is the request path, left out if {@code null}. */
    static String json(int status, String detail, String instance) {
        HttpStatus known = HttpStatus.resolve(status);
        Map<String, Object> problem = new LinkedHashMap<>();
        problem.put("type", "about:blank");
        problem.put("title", known != null ? known.getReasonPhrase() : "HTTP " + status);
        problem.put("status", status);
        problem.put("detail", detail);
        if (instance != null) {
            problem.put("instance", instance);
        }
        return JSON.writeValueAsString(problem);
    }

    /** Sets {@code status} and writes its problem body as {@code application/problem+json}. */
    static void write(HttpServletResponse response, int status, String detail, String instance) throws IOException {
        response.setStatus(status);
        response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
        response.setCharacterEncoding(StandardCharsets.UTF_8.name());
        response.getWriter().write(json(status, detail, instance));
    }
}
