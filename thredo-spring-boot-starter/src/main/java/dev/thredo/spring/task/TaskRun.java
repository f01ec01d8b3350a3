package dev.thredo.spring.task;

import dev.thredo.Adoption;
import dev.thredo.Kernel;
import dev.thredo.Outcome;
import dev.thredo.ThredoThread;
import dev.thredo.Thredo;
import java.io.InterruptedIOException;
import java.net.SocketTimeoutException;
import java.nio.channels.ClosedByInterruptException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One run of a task on a thread of Spring's executor or scheduler, adopted into the kernel for the
 * run: the layers that wrap the task ({@link ThredoTaskDecorator} outside Spring's own wrappers,
 * {@link ScheduledRun} and {@link AsyncRunInterceptor} inside them) share it through a thread-local,
 * so that the innermost, which knows what runs, can name the thread and record how the run ended,
 * and the one that adopted the thread closes the adoption.
 *
 * <p>A run that ends {@link Outcome#CANCELLED} is logged once, at INFO, when the adoption is closed.
 */
final class TaskRun {

    private static final Logger log = LoggerFactory.getLogger("dev.thredo.spring.task");
    private static final ThreadLocal<TaskRun> CURRENT = new ThreadLocal<>();

    private final Adoption adoption;
    private final ThredoThread<Void> thread;
    private final long startNanos = System.nanoTime();
    private Throwable failure;
    private boolean claimed;

    private TaskRun(Adoption adoption) {
        this.adoption = adoption;
        this.thread = adoption.thread();
    }

    /**
     * Adopts the calling thread into {@code kernel} as {@code name}; {@code null} (and nothing done) if
     * the thread already is a thredo thread or the kernel is closed (a task that starts while the
     * application shuts down runs as a plain thread).
     */
    static TaskRun adopt(Kernel kernel, String name) {
        return adopt(kernel, name, false);
    }

    /** As {@link #adopt(Kernel, String)}, the run {@linkplain #claim claimed} already if {@code named}. */
    static TaskRun adopt(Kernel kernel, String name, boolean named) {
        if (Thredo.currentIfAny().isPresent()) {
            return null;
        }
        Adoption adoption;
        try {
            adoption = kernel.adopt(name);
        } catch (IllegalStateException closed) {
            return null;
        }
        TaskRun run = new TaskRun(adoption);
        run.claimed = named;
        CURRENT.set(run);
        return run;
    }

    /** The run the calling thread was adopted for, or {@code null}. */
    static TaskRun current() {
        return CURRENT.get();
    }

    ThredoThread<Void> thread() {
        return thread;
    }

    /**
     * Claims the run for the task that turned out to run in it, naming the thread after it; only the
     * first claim counts (a later one comes from a call nested in that task, which must neither rename
     * nor end the run). Returns whether this claim counted.
     */
    boolean claim(String name) {
        if (claimed) {
            return false;
        }
        claimed = true;
        adoption.rename(name);
        return true;
    }

    /**
     * Records that the task threw {@code t}; returns whether that is the work of a cancellation (its
     * thredo thread was cancelled, or what it threw was caused by an interrupt, such as
     * {@code Future.cancel(true)}'s, that the kernel had not seen yet), so that the caller ends the
     * run quietly instead of handing {@code t} to Spring's error handling.
     */
    boolean failedWith(Throwable t) {
        if (failure == null) {
            failure = t;
            adoption.endWith(t);
        }
        return thread.isCancelled() || causedByInterrupt(t);
    }

    /** Ends the adoption (the thread is a plain thread again, its interrupt flag clear) and logs a cancelled run. */
    void close() {
        CURRENT.remove();
        adoption.close();
        if (thread.outcome() == Outcome.CANCELLED && log.isInfoEnabled()) {
            log.info("{} (thredo thread #{}) was cancelled after {} ms{}", thread.name(), thread.id(),
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos),
                    failure == null ? "" : ", ending with " + unwrapped(failure).getClass().getSimpleName());
        }
    }

    /**
     * What a reflective call or a future wrapped ({@code @Scheduled} methods that throw a checked
     * {@code InterruptedException} reach the scheduler as an {@code UndeclaredThrowableException}).
     */
    private static Throwable unwrapped(Throwable t) {
        Throwable inner = t;
        for (int depth = 0; depth < 8 && inner.getCause() != null
                && (inner instanceof java.lang.reflect.UndeclaredThrowableException
                        || inner instanceof java.lang.reflect.InvocationTargetException
                        || inner instanceof java.util.concurrent.CompletionException
                        || inner instanceof java.util.concurrent.ExecutionException); depth++) {
            inner = inner.getCause();
        }
        return inner;
    }

    /** As the kernel decides an outcome: an interrupt pending, or one in the cause chain. */
    private static boolean causedByInterrupt(Throwable failure) {
        if (Thread.currentThread().isInterrupted()) {
            return true;
        }
        int depth = 0;
        for (Throwable t = failure; t != null && depth < 32; t = t.getCause(), depth++) {
            if (t instanceof InterruptedException || t instanceof ClosedByInterruptException
                    || (t instanceof InterruptedIOException && !(t instanceof SocketTimeoutException))) {
                return true;
            }
        }
        return false;
    }
}
