package dev.thredo.demo;

import dev.thredo.spring.problem.ProblemDetailWriter;
import java.io.IOException;
import org.apache.catalina.Container;
import org.apache.catalina.Valve;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.core.StandardHost;
import org.apache.catalina.valves.ErrorReportValve;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.core.Ordered;
import org.springframework.http.ProblemDetail;
import org.springframework.stereotype.Component;

/**
 * Tomcat's last-resort error report as an RFC 9457 problem body instead of its HTML page. It answers
 * what Tomcat rejects before any filter or servlet runs, so that neither Spring nor the error page
 * sees it: a malformed request line, an encoded {@code /} or {@code NUL} in the path, headers over the
 * size limit, a malformed {@code Content-Length}. The detail is the reason phrase only (Tomcat's own
 * message may quote the rejected input).
 */
class ProblemErrorReportValve extends ErrorReportValve {

    private final ProblemDetailWriter problems;

    ProblemErrorReportValve(ProblemDetailWriter problems) {
        this.problems = problems;
    }

    @Override
    protected void report(Request request, Response response, Throwable throwable) {
        int status = response.getStatus();
        // As the base class: only errors, only if nothing was written, and only once.
        if (status < 400 || response.getContentWritten() > 0 || !response.setErrorReported()) {
            return;
        }
        ProblemDetail problem = ProblemDetail.forStatus(status);
        if (problem.getTitle() == null) {
            problem.setTitle("HTTP " + status); // a status without a reason phrase
        }
        problem.setDetail(problem.getTitle() + " (rejected by the server).");
        try {
            problems.write(response.getResponse(), problem); // no instance: the path is what was rejected
            response.finishResponse();
        } catch (IOException | IllegalStateException e) {
            // The connection is gone or the response is unusable; the status line is all there is.
        }
    }

    /**
     * Puts the valve on the host in place of every {@link ErrorReportValve} (Boot adds one of its own)
     * and makes it the host's error report valve class, so that starting the host adds no other.
     * Runs after Boot's customizer.
     */
    @Component
    static class Installer implements WebServerFactoryCustomizer<TomcatServletWebServerFactory>, Ordered {

        private final ProblemDetailWriter problems;

        Installer(ProblemDetailWriter problems) {
            this.problems = problems;
        }

        @Override
        public void customize(TomcatServletWebServerFactory factory) {
            factory.addContextCustomizers(context -> {
                Container parent = context.getParent();
                if (parent instanceof StandardHost host) {
                    host.setErrorReportValveClass(ProblemErrorReportValve.class.getName());
                }
                for (Valve valve : parent.getPipeline().getValves()) {
                    if (valve instanceof ErrorReportValve) {
                        parent.getPipeline().removeValve(valve);
                    }
                }
                parent.getPipeline().addValve(new ProblemErrorReportValve(problems));
            });
        }

        @Override
        public int getOrder() {
            return Ordered.LOWEST_PRECEDENCE;
        }
    }
}
