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

    /**
     * Creates the properties with the defaults documented on each; Boot binds {@code thredo.*} onto
     * them.
     */
    public ThredoProperties() {
    }

    /** {@return {@code thredo.enabled}: whether to auto-configure a thredo kernel} */
    public boolean isEnabled() {
        return enabled;
    }

    /**
     * Sets {@code thredo.enabled}.
     *
     * @param enabled {@code false} to leave the application without the auto-configured kernel
     */
    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    /** {@return {@code thredo.virtual-threads}: whether thredo threads run on virtual threads} */
    public boolean isVirtualThreads() {
        return virtualThreads;
    }

    /**
     * Sets {@code thredo.virtual-threads}.
     *
     * @param virtualThreads {@code false} for (daemon) platform threads
     */
    public void setVirtualThreads(boolean virtualThreads) {
        this.virtualThreads = virtualThreads;
    }

    /**
     * {@return {@code thredo.shutdown-timeout}: how long closing the kernel waits for cancelled
     * threads to end}
     */
    public Duration getShutdownTimeout() {
        return shutdownTimeout;
    }

    /**
     * Sets {@code thredo.shutdown-timeout}.
     *
     * @param shutdownTimeout zero or more; counted from the moment the kernel closes, after the web
     *     server's graceful window
     * @throws IllegalArgumentException if {@code shutdownTimeout} is {@code null} or negative
     */
    public void setShutdownTimeout(Duration shutdownTimeout) {
        if (shutdownTimeout == null || shutdownTimeout.isNegative()) {
            throw new IllegalArgumentException("must be zero or more (e.g. 10s), was " + shutdownTimeout);
        }
        this.shutdownTimeout = shutdownTimeout;
    }

    /**
     * {@return {@code thredo.stuck-threshold}: how long a thread may go on after its cancellation
     * before it is reported as stuck}
     */
    public Duration getStuckThreshold() {
        return stuckThreshold;
    }

    /**
     * Sets {@code thredo.stuck-threshold}.
     *
     * @param stuckThreshold a positive duration
     * @throws IllegalArgumentException if {@code stuckThreshold} is {@code null}, zero or negative
     */
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

    /** {@return the request integration's properties, {@code thredo.web.*}} */
    public Web getWeb() {
        return web;
    }

    /** {@return the web console's properties, {@code thredo.console.*}} */
    public Console getConsole() {
        return console;
    }

    /** {@return the JDBC integration's properties, {@code thredo.jdbc.*}} */
    public Jdbc getJdbc() {
        return jdbc;
    }

    /** {@return the task integration's properties, {@code thredo.task.*}} */
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

        Task() {
        }

        /** {@return {@code thredo.task.enabled}: whether Spring's tasks run as thredo threads} */
        public boolean isEnabled() {
            return enabled;
        }

        /**
         * Sets {@code thredo.task.enabled}.
         *
         * @param enabled {@code false} to leave {@code @Async}, {@code @Scheduled} and Boot's executor
         *     and scheduler as Spring makes them
         */
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

        Jdbc() {
        }

        /** {@return {@code thredo.jdbc.enabled}: whether data sources are wrapped} */
        public boolean isEnabled() {
            return enabled;
        }

        /**
         * Sets {@code thredo.jdbc.enabled}.
         *
         * @param enabled {@code false} to leave data sources unwrapped
         */
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

        Console() {
        }

        /** {@return {@code thredo.console.enabled}: whether the web console is served} */
        public boolean isEnabled() {
            return enabled;
        }

        /**
         * Sets {@code thredo.console.enabled}.
         *
         * @param enabled {@code true} to serve the console at {@code /thredo}; secure it as the
         *     endpoint it uses
         */
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

        Web() {
        }

        /**
         * {@return {@code thredo.web.enabled}: whether handler invocations run as thredo threads}
         */
        public boolean isEnabled() {
            return enabled;
        }

        /**
         * Sets {@code thredo.web.enabled}.
         *
         * @param enabled {@code false} to leave request threads alone: no request groups, no request
         *     timeout
         */
        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        /**
         * {@return {@code thredo.web.request-timeout}: the deadline of each request's handler;
         * {@code null} for none}
         */
        public Duration getRequestTimeout() {
            return requestTimeout;
        }

        /**
         * Sets {@code thredo.web.request-timeout}.
         *
         * @param requestTimeout a positive duration, or {@code null} for none
         * @throws IllegalArgumentException if {@code requestTimeout} is zero or negative
         */
        public void setRequestTimeout(Duration requestTimeout) {
            this.requestTimeout = requestTimeout == null ? null : positive(requestTimeout);
        }

        /**
         * {@return {@code thredo.web.cancel-on-disconnect}: whether a client's disconnect cancels its
         * request}
         */
        public boolean isCancelOnDisconnect() {
            return cancelOnDisconnect;
        }

        /**
         * Sets {@code thredo.web.cancel-on-disconnect}.
         *
         * @param cancelOnDisconnect {@code false}: no watcher thread runs and nothing is registered
         *     per request
         */
        public void setCancelOnDisconnect(boolean cancelOnDisconnect) {
            this.cancelOnDisconnect = cancelOnDisconnect;
        }
    }
}
