package dev.thredo;

import java.util.concurrent.Callable;

/**
 * Wraps the task of every thread a {@link Kernel} spawns (not of adopted threads); registered with
 * {@link Kernel.Builder#taskDecorator(TaskDecorator)}. Called on the <em>spawning</em> thread, so it
 * can capture that thread's context (MDC, tracing) and return a task that restores it in the new
 * thread: context propagation.
 *
 * <p>Runs on the spawn hot path: it must be fast and must not block. If it throws, the spawn fails
 * with that exception and no thread is started.
 */
@FunctionalInterface
public interface TaskDecorator {
    /**
     * Wraps {@code task}, on the spawning thread.
     *
     * @param task the task as spawned ({@code Runnable}s come adapted, returning {@code null}); the
     *     returned task should call it once and return its value
     * @return the task the new thread runs instead of {@code task}; never {@code null}
     */
    Callable<?> decorate(Callable<?> task);
}
