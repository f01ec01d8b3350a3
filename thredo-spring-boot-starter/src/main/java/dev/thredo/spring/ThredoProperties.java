package dev.thredo.spring;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Configuration of thredo in a Spring Boot application ({@code thredo.*}).
 *
 * <p>Each setter refuses a value that cannot work (a negative or missing timeout, a threshold of
 * zero), so a wrong setting stops startup with the property's name, its value and the reason,
 * rather than failing later where the value is used.
 */
@ConfigurationProperties("thredo")
public class ThredoProperties {

    /** Whether to auto-configure a thredo kernel. */
    private boolean enabled = true;

    /** Whether thredo threads run on virtual threads (otherwise on platform threads). */
    private boolean virtualThreads = true;

    /**
     * How long closing the kernel waits for cancelled threads to end before logging what would not
     * stop. Zero or more.
     */
    private Duration shutdownTimeout = Duration.ofSeconds(10);

    /** How long a thread may ignore a cancellation before it is reported as stuck. More than zero. */
    private Duration stuckThreshold = Duration.ofSeconds(5);

    private final Web web = new Web();

    private final Console console = new Console();

    private final Jdbc jdbc = new Jdbc();

    private final Task task = new Task();

    public boolean isEnabled() {
        return enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public boolean isVirtualThreads() {
        return virtualThreads;
    }

    public void setVirtualThreads(boolean virtualThreads) {
        this.virtualThreads = virtualThreads;
    }

    public Duration getShutdownTimeout() {
        return shutdownTimeout;
    }

    public void setShutdownTimeout(Duration shutdownTimeout) {
        if (shutdownTimeout == null || shutdownTimeout.isNegative()) {
            throw new IllegalArgumentException("must be zero or more (e.g. 10s), was " + shutdownTimeout);
        }
        this.shutdownTimeout = shutdownTimeout;
    }

    public Duration getStuckThreshold() {
        return stuckThreshold;
    }

    public void setStuckThreshold(Duration stuckThreshold) {
        this.stuckThreshold = positive(stuckThreshold);
    }

    /** {@code d}, if it is set and more than zero. */
    private static Duration positive(Duration d) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException("must be more than zero (e.g. 5s), was " + d);
        }
        return d;
    }

    public Web getWeb() {
        return web;
    }

    public Console getConsole() {
        return console;
    }

    public Jdbc getJdbc() {
        return jdbc;
    }

    public Task getTask() {
        return task;
    }

    /** Spring's task execution and scheduling ({@code thredo.task.*}). */
    public static class Task {

        /**
         * Whether @Async methods, @Scheduled methods and every task of the executor and scheduler Boot
         * auto-configures (applicationTaskExecutor, taskScheduler) run as thredo threads of the
         * kernel, named after what runs ("@Async MailService.send", "@Scheduled ReportJob.refresh"),
         * listed and cancellable like any other; a cancelled task ends quietly (one INFO line) and a
         * cancelled scheduled run does not stop its schedule.
         */
        private boolean enabled = true;

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }
    }

    /** JDBC statements cancelled in the database ({@code thredo.jdbc.*}). */
    public static class Jdbc {

        /**
         * Whether to wrap every DataSource bean so that a statement run in a thredo thread gets a query
         * timeout from the thread's deadline and is cancelled in the database (Statement.cancel) when
         * the thread is cancelled or the deadline passes, instead of being interrupted, which would break
         * the pooled connection.
         */
        private boolean enabled = true;

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }
    }

    /** The web console at {@code /thredo} ({@code thredo.console.*}). */
    public static class Console {

        /**
         * Whether to serve the web console at /thredo (live threads as a tree, cancel buttons). It
         * reads and writes the actuator's thredo endpoint, so secure /thredo/** with it.
         */
        private boolean enabled = false;

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }
    }

    /** The Spring MVC request integration ({@code thredo.web.*}). */
    public static class Web {

        /** Whether each Spring MVC handler invocation runs as a thredo thread with a request-scoped group. */
        private boolean enabled = true;

        /**
         * Deadline of each request's handler; none by default. A request that exceeds it answers
         * 503. More than zero when set.
         */
        private Duration requestTimeout;

        /**
         * Whether to cancel a request's thredo thread (and so its group) when its HTTP client
         * disconnects while the handler runs. Tomcat's HTTP/1.1 NIO connector only; off, no watcher
         * thread runs and nothing is registered per request.
         */
        private boolean cancelOnDisconnect = true;

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public Duration getRequestTimeout() {
            return requestTimeout;
        }

        public void setRequestTimeout(Duration requestTimeout) {
            this.requestTimeout = requestTimeout == null ? null : positive(requestTimeout);
        }

        public boolean isCancelOnDisconnect() {
            return cancelOnDisconnect;
        }

        public void setCancelOnDisconnect(boolean cancelOnDisconnect) {
            this.cancelOnDisconnect = cancelOnDisconnect;
        }
    }
}
