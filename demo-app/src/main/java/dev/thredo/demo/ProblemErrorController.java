package dev.thredo.demo;

import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.boot.webmvc.error.ErrorController;
import org.springframework.http.HttpStatus;
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

    @RequestMapping("${server.error.path:${error.path:/error}}")
    void error(HttpServletRequest request, HttpServletResponse response) throws IOException {
        if (!(request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE) instanceof Integer status)) {
            Problems.write(response, HttpStatus.NOT_FOUND.value(), "No error to report.", request.getRequestURI());
            return;
        }
        String message = request.getAttribute(RequestDispatcher.ERROR_MESSAGE) instanceof String m ? m : "";
        HttpStatus known = HttpStatus.resolve(status);
        String reason = known != null ? known.getReasonPhrase() : "HTTP " + status;
        String detail = status < 500 && !message.isBlank() ? message : reason + ".";
        String path = request.getAttribute(RequestDispatcher.ERROR_REQUEST_URI) instanceof String p ? p : null;
        Problems.write(response, status, detail, path);
    }
}
