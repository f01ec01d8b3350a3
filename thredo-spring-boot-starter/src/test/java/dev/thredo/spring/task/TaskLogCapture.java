package dev.thredo.spring.task;

import dev.thredo.spring.KernelPolling;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.slf4j.LoggerFactory;

/**
 * Collects, while attached to the root logger, what is logged at WARN or ERROR (what a cancelled task
 * must not provoke: Spring's error handlers log at ERROR) and the INFO lines of the starter's task
 * integration (one per cancelled task).
 */
final class TaskLogCapture extends AppenderBase<ILoggingEvent> {
    private final ConcurrentLinkedQueue<String> warnings = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<String> taskInfo = new ConcurrentLinkedQueue<>();
    private final Logger root;

    private TaskLogCapture(Logger root) {
        this.root = root;
    }

    static TaskLogCapture attach() {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        TaskLogCapture capture = new TaskLogCapture(context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME));
        capture.setContext(context);
        capture.setName("task-log-capture");
        capture.start();
        capture.root.addAppender(capture);
        return capture;
    }

    void detach() {
        root.detachAppender(this);
        stop();
    }

    /** Events at WARN or ERROR. */
    List<String> warnings() {
        return List.copyOf(warnings);
    }

    /**
     * INFO lines of logger {@code dev.thredo.spring.task} that mention thredo thread {@code id}, once
     * there is one: the line is written when the task's adoption closes, just after the kernel has
     * counted its end, so a test that saw the end waits for it (bounded).
     */
    List<String> cancelledLines(long id) {
        KernelPolling.awaitUntil("an INFO line for thredo thread #" + id, () -> !lines(id).isEmpty());
        return lines(id);
    }

    private List<String> lines(long id) {
        return taskInfo.stream().filter(l -> l.contains("(thredo thread #" + id + ")")).toList();
    }

    @Override
    protected void append(ILoggingEvent event) {
        String line = event.getLevel() + " " + event.getLoggerName() + ": " + event.getFormattedMessage()
                + (event.getThrowableProxy() == null ? "" : " (" + event.getThrowableProxy().getClassName() + ": "
                        + event.getThrowableProxy().getMessage() + ")");
        if (event.getLevel().isGreaterOrEqual(Level.WARN)) {
            warnings.add(line);
        } else if (event.getLevel() == Level.INFO && event.getLoggerName().equals("dev.thredo.spring.task")) {
            taskInfo.add(line);
        }
    }
}
