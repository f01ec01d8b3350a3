package dev.thredo.spring;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.slf4j.LoggerFactory;

/**
 * Collects, while attached to the root logger, what is logged at WARN or ERROR (what a cancellation
 * must not provoke: HikariCP warns when it throws a broken connection away, Spring's error handlers
 * log at ERROR) and the INFO lines, by logger.
 */
public final class LogCapture extends AppenderBase<ILoggingEvent> {
    private final ConcurrentLinkedQueue<String> warnings = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<ILoggingEvent> infos = new ConcurrentLinkedQueue<>();
    private final Logger root;

    private LogCapture(Logger root) {
        this.root = root;
    }

    /** Starts capturing. */
    public static LogCapture attach() {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        LogCapture capture = new LogCapture(context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME));
        capture.setContext(context);
        capture.setName("test-log-capture");
        capture.start();
        capture.root.addAppender(capture);
        return capture;
    }

    /** Stops capturing; what was captured stays readable. */
    public void detach() {
        root.detachAppender(this);
        stop();
    }

    /** The events logged at WARN or ERROR so far. */
    public List<String> warnings() {
        return List.copyOf(warnings);
    }

    /** The messages logged at INFO by {@code logger} so far. */
    public List<String> infos(String logger) {
        return infos.stream().filter(e -> e.getLoggerName().equals(logger)).map(ILoggingEvent::getFormattedMessage).toList();
    }

    @Override
    protected void append(ILoggingEvent event) {
        if (event.getLevel().isGreaterOrEqual(Level.WARN)) {
            warnings.add(event.getLevel() + " " + event.getLoggerName() + ": " + event.getFormattedMessage()
                    + (event.getThrowableProxy() == null ? "" : " (" + event.getThrowableProxy().getClassName() + ": "
                            + event.getThrowableProxy().getMessage() + ")"));
        } else if (event.getLevel() == Level.INFO) {
            infos.add(event);
        }
    }
}
