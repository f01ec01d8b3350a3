package dev.thredo.demo;

import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import org.slf4j.LoggerFactory;

/**
 * Collects, while attached to the root logger, what the application logs as an ERROR or with a stack
 * trace: what a reliability run must not provoke. The cancellations such a run causes are logged by
 * nobody above DEBUG, so they never show up here (a cancelled {@code @Async} or {@code @Scheduled}
 * task is logged once at INFO). Also keeps WARN lines and those INFO lines, for tests that look at them.
 */
final class LogCapture extends AppenderBase<ILoggingEvent> {

    private final ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<String> warnings = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<String> taskInfos = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<String> stackTraces = new ConcurrentLinkedQueue<>();
    private final Logger root;

    private LogCapture(Logger root) {
        this.root = root;
    }

    /** Starts capturing. */
    static LogCapture attach() {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        LogCapture capture = new LogCapture(context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME));
        capture.setContext(context);
        capture.setName("reliability-log-capture");
        capture.start();
        capture.root.addAppender(capture);
        return capture;
    }

    /** Stops capturing; what was captured stays readable. */
    void detach() {
        root.detachAppender(this);
        stop();
    }

    /** The events logged at ERROR. */
    List<String> errors() {
        return List.copyOf(errors);
    }

    /** The events logged at WARN or ERROR. */
    List<String> warnings() {
        return List.copyOf(warnings);
    }

    /** The INFO lines of the starter's task integration (one per cancelled @Async or @Scheduled task). */
    List<String> taskInfos() {
        return List.copyOf(taskInfos);
    }

    /** The events of any level that carried a stack trace. */
    List<String> stackTraces() {
        return List.copyOf(stackTraces);
    }

    @Override
    protected void append(ILoggingEvent event) {
        String line = event.getLevel() + " " + event.getLoggerName() + ": " + event.getFormattedMessage()
                + (event.getThrowableProxy() == null ? "" : " (" + event.getThrowableProxy().getClassName() + ": "
                        + event.getThrowableProxy().getMessage() + ")");
        if (event.getLevel().isGreaterOrEqual(Level.ERROR)) {
            errors.add(line);
        }
        if (event.getLevel().isGreaterOrEqual(Level.WARN)) {
            warnings.add(line);
        } else if (event.getLevel() == Level.INFO && event.getLoggerName().equals("dev.thredo.spring.task")) {
            taskInfos.add(line);
        }
        if (event.getThrowableProxy() != null) {
            stackTraces.add(line);
        }
    }
}
