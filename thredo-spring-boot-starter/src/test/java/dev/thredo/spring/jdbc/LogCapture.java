package dev.thredo.spring.jdbc;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.slf4j.LoggerFactory;

/**
 * Collects, while attached to the root logger, what is logged at WARN or ERROR: what cancelling a
 * statement must not provoke (HikariCP warns when it throws a broken connection away).
 */
final class LogCapture extends AppenderBase<ILoggingEvent> {
    private final ConcurrentLinkedQueue<String> warnings = new ConcurrentLinkedQueue<>();
    private final Logger root;

    private LogCapture(Logger root) {
        this.root = root;
    }

    /** Starts capturing. */
    static LogCapture attach() {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        LogCapture capture = new LogCapture(context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME));
        capture.setContext(context);
        capture.setName("jdbc-log-capture");
        capture.start();
        capture.root.addAppender(capture);
        return capture;
    }

    /** Stops capturing; what was captured stays readable. */
    void detach() {
        root.detachAppender(this);
        stop();
    }

    /** The events logged at WARN or ERROR so far. */
    List<String> warnings() {
        return List.copyOf(warnings);
    }

    @Override
    protected void append(ILoggingEvent event) {
        if (event.getLevel().isGreaterOrEqual(Level.WARN)) {
            warnings.add(event.getLevel() + " " + event.getLoggerName() + ": " + event.getFormattedMessage()
                    + (event.getThrowableProxy() == null ? "" : " (" + event.getThrowableProxy().getClassName() + ": "
                            + event.getThrowableProxy().getMessage() + ")"));
        }
    }
}
