package dev.thredo.demo;

import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import dev.thredo.spring.problem.ProblemDetailWriter;
import java.io.IOException;
import org.springframework.boot.webmvc.error.ErrorController;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.RequestMapping;

/**
 * The error page ({@code /error}) as an RFC 9457 problem body, in place of Boot's
 * {@code {"timestamp","status","error","path"}} JSON. It renders what reaches the container's error
 * page rather than a handler: requests Spring Security's firewall rejects (a {@code ;} or {@code ..}
 * in the path), and anything else answered with {@code sendError}.
 *
 * <p>A 5xx says only its reason phrase, never the exception's message. Requested directly (not as
 * an error dispatch) it answers 404: there is no error to report.
 */
@Controller
class ProblemErrorController implements ErrorController {

    private final ProblemDetailWriter problems;

    ProblemErrorController(ProblemDetailWriter problems) {
        this.problems = problems;
    }

    @RequestMapping("${server.error.path:${error.path:/error}}")
    void error(HttpServletRequest request, HttpServletResponse response) throws IOException {
        if (!(request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE) instanceof Integer status)) {
            ProblemDetail none = ProblemDetail.forStatusAndDetail(HttpStatus.NOT_FOUND, "No error to report.");
            none.setInstance(ProblemDetailWriter.instanceOf(request));
            problems.write(response, none);
            return;
        }
        String message = request.getAttribute(RequestDispatcher.ERROR_MESSAGE) instanceof String m ? m : "";
        ProblemDetail problem = ProblemDetail.forStatus(status);
        if (problem.getTitle() == null) {
            problem.setTitle("HTTP " + status); // a status without a reason phrase
        }
        problem.setDetail(status < 500 && !message.isBlank() ? message : problem.getTitle() + ".");
        if (request.getAttribute(RequestDispatcher.ERROR_REQUEST_URI) instanceof String path) {
            problem.setInstance(ProblemDetailWriter.instance(path));
        }
        problems.write(response, problem);
    }
}
