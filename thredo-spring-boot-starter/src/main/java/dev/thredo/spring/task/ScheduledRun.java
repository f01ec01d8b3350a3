package dev.thredo.spring.task;

import dev.thredo.Kernel;
import java.lang.reflect.Field;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.springframework.scheduling.SchedulingAwareRunnable;
import org.springframework.scheduling.support.ScheduledMethodRunnable;
import org.springframework.util.ClassUtils;

/**
 * A task of Spring's {@code ScheduledTaskRegistrar} (a {@code @Scheduled} method, or a task a
 * {@code SchedulingConfigurer} registered), wrapped before the scheduler wraps it in its error
 * handling: each run is a thredo thread named after the method ({@code "@Scheduled
 * ReportJob.refresh"}), renaming the adoption of {@link ThredoTaskDecorator} if the scheduler applied
 * it, adopting the thread itself if not (a scheduler of the application's own, or the fixed-delay
 * runs of a {@code SimpleAsyncTaskScheduler}, which bypass its decorator). A run that a cancellation
 * ends returns normally, so the scheduler's error handler does not log it as an error and the
 * schedule goes on; any other failure goes on to the error handler as before.
 */
final class ScheduledRun implements SchedulingAwareRunnable {

    /** {@code ScheduledMethodRunnable.toString()}: the declaring class's name, a dot, the method's. */
    private static final Pattern METHOD = Pattern.compile("(?:[\\w$]+\\.)*([\\w$]+)\\.([\\w$]+)");
    private static final @Nullable Field TRACKED = trackedRunnableField();

    private final Runnable task;
    private final Supplier<Kernel> kernel;
    private final String name;

    ScheduledRun(Runnable task, Supplier<Kernel> kernel) {
        this.task = task;
        this.kernel = kernel;
        this.name = nameOf(task);
    }

    String name() {
        return name;
    }

    @Override
    public void run() {
        TaskRun run = TaskRun.current();
        boolean adopted = false;
        if (run != null) {
            if (!run.claim(name)) {
                run = null; // not this run's task: leave the run to the task it was claimed for
            }
        } else {
            run = TaskRun.adopt(kernel.get(), name, true);
            adopted = run != null;
        }
        try {
            task.run();
        } catch (Throwable t) {
            if (run == null || !run.failedWith(t)) {
                throw t;
            }
            // cancelled: the run ends quietly (CANCELLED, one INFO line) and the schedule goes on
        } finally {
            if (adopted) {
                run.close();
            }
        }
    }

    @Override
    public boolean isLongLived() {
        return task instanceof SchedulingAwareRunnable s && s.isLongLived();
    }

    @Override
    public @Nullable String getQualifier() {
        return task instanceof SchedulingAwareRunnable s ? s.getQualifier() : null; // the router picks the scheduler by it
    }

    @Override
    public String toString() {
        return task.toString();
    }

    /**
     * {@code "@Scheduled ReportJob.refresh"} for a scheduled method (the bean's class, as it was
     * declared, not a proxy's), {@code "scheduled task"} for anything else.
     */
    static String nameOf(Runnable task) {
        Runnable inner = unwrap(task);
        if (inner instanceof ScheduledMethodRunnable m) {
            return "@Scheduled " + ClassUtils.getUserClass(m.getTarget()).getSimpleName() + "." + m.getMethod().getName();
        }
        Matcher method = METHOD.matcher(inner.toString()); // a Task wrapper we could not open: its toString is the method's
        if (method.matches()) {
            String type = method.group(1);
            return "@Scheduled " + type.substring(type.lastIndexOf('$') + 1) + "." + method.group(2);
        }
        return "scheduled task";
    }

    /** The runnable a registrar's {@code Task} wraps to track its outcome (since Spring 6.2). */
    private static Runnable unwrap(Runnable task) {
        if (TRACKED != null && TRACKED.getDeclaringClass().isInstance(task)) {
            try {
                return (Runnable) TRACKED.get(task);
            } catch (IllegalAccessException | RuntimeException e) {
                return task;
            }
        }
        return task;
    }

    private static @Nullable Field trackedRunnableField() {
        try {
            Class<?> tracking = Class.forName("org.springframework.scheduling.config.Task$OutcomeTrackingRunnable",
                    false, ScheduledRun.class.getClassLoader());
            Field f = tracking.getDeclaredField("runnable");
            f.setAccessible(true);
            return Runnable.class.isAssignableFrom(f.getType()) ? f : null;
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            return null; // another Spring version: names come from toString()
        }
    }
}
