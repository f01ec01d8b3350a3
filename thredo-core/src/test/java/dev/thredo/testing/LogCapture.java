package dev.thredo.testing;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.slf4j.LoggerFactory;

/**
 * Collects what is logged through Logback (the binding of every module's tests, and Spring Boot's
 * default) while attached to the root logger: each event the logging configuration lets through, as the line
 * {@code "LEVEL logger: message"}, followed by {@code " (ExceptionClass: its message)"} when it
 * carries one. Tests assert on what a behaviour must log (a kernel's one warning, a cancelled task's
 * INFO line) and on what it must not (HikariCP warns when it throws a broken connection away,
 * Spring's error handlers log at ERROR). Thread-safe; {@link #detach()} it in a {@code finally}.
 */
public final class LogCapture extends AppenderBase<ILoggingEvent> {
    private final ConcurrentLinkedQueue<Line> lines = new ConcurrentLinkedQueue<>();
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

    /** The events logged at ERROR so far. */
    public List<String> errors() {
        return lines.stream().filter(l -> l.level == Level.ERROR).map(Line::text).toList();
    }

    /** The events logged at WARN or ERROR so far. */
    public List<String> warnings() {
        return lines.stream().filter(l -> l.level.isGreaterOrEqual(Level.WARN)).map(Line::text).toList();
    }

    /** The events logged at INFO by {@code logger} (its exact name) so far. */
    public List<String> infos(String logger) {
        return lines.stream().filter(l -> l.level == Level.INFO && l.logger.equals(logger)).map(Line::text).toList();
    }

    /** The events of any level that carried an exception so far. */
    public List<String> withExceptions() {
        return lines.stream().filter(Line::exception).map(Line::text).toList();
    }

    @Override
    protected void append(ILoggingEvent event) {
        String text = event.getLevel() + " " + event.getLoggerName() + ": " + event.getFormattedMessage()
                + (event.getThrowableProxy() == null ? "" : " (" + event.getThrowableProxy().getClassName() + ": "
                        + event.getThrowableProxy().getMessage() + ")");
        lines.add(new Line(event.getLevel(), event.getLoggerName(), text, event.getThrowableProxy() != null));
    }

    private record Line(Level level, String logger, String text, boolean exception) {
    }
}
