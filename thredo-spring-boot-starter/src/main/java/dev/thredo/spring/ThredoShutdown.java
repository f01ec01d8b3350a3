package dev.thredo.spring;

import dev.thredo.Kernel;
import dev.thredo.ThreadInfo;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ApplicationListener;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.event.ContextClosedEvent;

/**
 * Ends the kernel's threads in step with the application's shutdown, instead of after it.
 *
 * <ol>
 *   <li><b>When shutdown begins</b> ({@link ContextClosedEvent}, published before any lifecycle bean
 *       stops): every thread that does not serve a request ({@link RequestThreads}) is cancelled: scheduled
 *       and async tasks, jobs the application spawned. Spring's executors, which stop next and wait for
 *       their running tasks, then find them ending instead of running on.</li>
 *   <li><b>When the web server's graceful shutdown is over</b> (this lifecycle's {@link #PHASE}, between
 *       Boot's graceful shutdown and the web server's stop): the kernel is closed: in-flight requests
 *       are cancelled and answer their 503 while their connections are still open, and the close waits
 *       up to {@code thredo.shutdown-timeout}, naming in one log line what would not stop. With
 *       {@code server.shutdown=immediate} (no graceful window) this follows the first step at once.</li>
 * </ol>
 * The kernel bean's own {@code close} at destruction then returns at once. So the application stops
 * within the graceful window plus {@code thredo.shutdown-timeout}, however long its threads would have
 * run.
 */
public class ThredoShutdown implements ApplicationListener<ContextClosedEvent>, SmartLifecycle {
    /**
     * After Boot's graceful web server shutdown ({@code Integer.MAX_VALUE - 1024}), before the web
     * server stops ({@code Integer.MAX_VALUE - 2048}); lifecycle beans stop from the highest phase down.
     */
    public static final int PHASE = Integer.MAX_VALUE - 1536;

    private static final Logger log = LoggerFactory.getLogger(ThredoShutdown.class);

    private final Kernel kernel;
    private final Duration shutdownTimeout;
    private final RequestThreads requests;
    private final ApplicationContext context;
    private volatile boolean running;
    /** Set when the context starts closing: only then does stopping close the kernel (a context stop does not). */
    private volatile boolean closing;

    /**
     * Creates the shutdown coordinator; the auto-configuration registers one per application context.
     *
     * @param kernel the application's kernel
     * @param shutdownTimeout how long closing the kernel waits (its grace period), and then, from the
     *     same start, how long the cancelled requests have to write their answers
     * @param requests the threads serving requests, spared until the graceful window is over
     * @param context the context whose close starts the shutdown (a child context's does not)
     */
    public ThredoShutdown(Kernel kernel, Duration shutdownTimeout, RequestThreads requests, ApplicationContext context) {
        this.kernel = kernel;
        this.shutdownTimeout = shutdownTimeout;
        this.requests = requests;
        this.context = context;
    }

    @Override
    public void onApplicationEvent(ContextClosedEvent event) {
        if (event.getApplicationContext() != context) {
            return;
        }
        closing = true;
        List<ThreadInfo> live = kernel.threads();
        Map<Long, ThreadInfo> byId = live.stream().collect(Collectors.toMap(ThreadInfo::id, Function.identity()));
        int cancelled = 0;
        for (ThreadInfo t : live) {
            if (!requests.serves(t, byId) && kernel.cancel(t.id())) {
                cancelled++;
            }
        }
        if (cancelled > 0) {
            log.info("shutting down: cancelled {} thredo thread(s) that serve no request", cancelled);
        }
    }

    @Override
    public void start() {
        running = true;
    }

    /**
     * When the context is closing: closes the kernel, which cancels what still runs (in-flight
     * requests), waits, and reports what would not stop; then gives the cancelled requests the rest of
     * {@code shutdownTimeout} to write their 503 (a request thread leaves the kernel before it writes),
     * so that the web server, which stops next, does not cut them off. A mere context stop leaves the
     * kernel alone.
     */
    @Override
    public void stop() {
        running = false;
        if (!closing) {
            return;
        }
        long start = System.nanoTime();
        kernel.close();
        Duration left = shutdownTimeout.minusNanos(System.nanoTime() - start);
        try {
            if (!requests.awaitNone(left.isNegative() ? Duration.ZERO : left)) {
                log.warn("shutting down: requests still writing their answers after {}", shutdownTimeout);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return PHASE;
    }
}
