package dev.thredo.spring.task;

import dev.thredo.Kernel;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import org.springframework.core.task.TaskDecorator;

/**
 * A Spring {@link TaskDecorator} that runs every task of an executor or scheduler as a thredo thread
 * of the kernel: the thread the executor runs the task on (a pool thread or a new virtual thread, as
 * the executor is configured) is {@linkplain Kernel#adopt(String) adopted} for the task's duration,
 * so it is listed, can be cancelled (by id, by the actuator, by an interrupt such as
 * {@code Future.cancel(true)}'s) and can use thredo's groups and timeouts; then it is a plain thread
 * again, with its interrupt flag clear. Pools, concurrency limits, thread names and virtual or
 * platform threads stay exactly as the executor was built.
 *
 * <p>The thread is listed under its JDK name ({@code task-3}, {@code scheduling-1}) until the task
 * shows what it is: an {@code @Async} method renames it {@code "@Async MailService.send"}, a
 * {@code @Scheduled} method {@code "@Scheduled ReportJob.refresh"}.
 *
 * <p>A task that a cancellation ends is counted {@code CANCELLED}, logged once at INFO, and does not
 * reach the executor as a failure. The kernel's own task decorators (the starter's context
 * propagation: MDC, observation) are applied too: captured where the task is submitted, restored
 * while it runs.
 *
 * <p>The starter registers one as the bean {@code thredoTaskDecorator}; Boot applies it, with any other
 * {@code TaskDecorator} bean, to the {@code applicationTaskExecutor} and {@code taskScheduler} it
 * auto-configures and to every executor or scheduler built from its builders. An executor built by
 * hand opts in with {@code executor.setTaskDecorator(thredoTaskDecorator)}.
 */
public class ThredoTaskDecorator implements TaskDecorator {

    private final Supplier<Kernel> kernel;
    private final Supplier<? extends List<dev.thredo.TaskDecorator>> contextDecorators;

    /**
     * Creates the decorator; the task auto-configuration registers it as {@code thredoTaskDecorator}.
     *
     * @param kernel the kernel that adopts the tasks' threads (looked up when a task runs)
     * @param contextDecorators the kernel's task decorators (context propagation), applied to each
     *     task where it is submitted (looked up on first need)
     * @throws NullPointerException if an argument is {@code null}
     */
    public ThredoTaskDecorator(Supplier<Kernel> kernel,
            Supplier<? extends List<dev.thredo.TaskDecorator>> contextDecorators) {
        this.kernel = Objects.requireNonNull(kernel, "kernel");
        this.contextDecorators = Objects.requireNonNull(contextDecorators, "contextDecorators");
    }

    @Override
    public Runnable decorate(Runnable runnable) {
        Callable<?> task = () -> {
            runnable.run();
            return null;
        };
        for (dev.thredo.TaskDecorator d : contextDecorators.get()) {
            task = d.decorate(task);
        }
        return new AdoptingTask(task, runnable);
    }

    /** Runs a task adopted into the kernel; reusable (a periodic task runs it once per period). */
    private final class AdoptingTask implements Runnable {

        private final Callable<?> task;
        private final Runnable original;

        AdoptingTask(Callable<?> task, Runnable original) {
            this.task = task;
            this.original = original;
        }

        @Override
        public void run() {
            TaskRun run = TaskRun.adopt(kernel.get(), Thread.currentThread().getName());
            if (run == null) { // already a thredo thread (a caller-runs policy), or the kernel is closed
                call(task);
                return;
            }
            try {
                call(task);
            } catch (Throwable t) {
                if (!run.failedWith(t)) {
                    throw t;
                }
                // cancelled: counted and logged by close(), not handed to the executor as a failure
            } finally {
                run.close();
            }
        }

        @Override
        public String toString() {
            return original.toString();
        }
    }

    private static void call(Callable<?> task) {
        try {
            task.call();
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Exception e) { // a Runnable throws none; a context decorator might
            throw new IllegalStateException(e);
        }
    }
}
