package dev.thredo.spring.task;

import dev.thredo.Kernel;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.ScheduledFuture;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.springframework.scheduling.TaskScheduler;
import org.springframework.scheduling.Trigger;

/**
 * The scheduler a {@code ScheduledTaskRegistrar} schedules its tasks on, in front of the one it
 * had: each task goes to that scheduler as a {@link ScheduledRun}. Only the registrar (so
 * {@code @Scheduled} methods and tasks of {@code SchedulingConfigurer}s) sees this wrapper; the
 * scheduler bean itself is untouched.
 */
final class ThredoTaskScheduler implements TaskScheduler {

    private final TaskScheduler delegate;
    private final Supplier<Kernel> kernel;

    ThredoTaskScheduler(TaskScheduler delegate, Supplier<Kernel> kernel) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        this.kernel = Objects.requireNonNull(kernel, "kernel");
    }

    TaskScheduler delegate() {
        return delegate;
    }

    private Runnable wrap(Runnable task) {
        return task instanceof ScheduledRun ? task : new ScheduledRun(task, kernel);
    }

    @Override
    public Clock getClock() {
        return delegate.getClock();
    }

    @Override
    public @Nullable ScheduledFuture<?> schedule(Runnable task, Trigger trigger) {
        return delegate.schedule(wrap(task), trigger);
    }

    @Override
    public ScheduledFuture<?> schedule(Runnable task, Instant startTime) {
        return delegate.schedule(wrap(task), startTime);
    }

    @Override
    public ScheduledFuture<?> scheduleAtFixedRate(Runnable task, Instant startTime, Duration period) {
        return delegate.scheduleAtFixedRate(wrap(task), startTime, period);
    }

    @Override
    public ScheduledFuture<?> scheduleAtFixedRate(Runnable task, Duration period) {
        return delegate.scheduleAtFixedRate(wrap(task), period);
    }

    @Override
    public ScheduledFuture<?> scheduleWithFixedDelay(Runnable task, Instant startTime, Duration delay) {
        return delegate.scheduleWithFixedDelay(wrap(task), startTime, delay);
    }

    @Override
    public ScheduledFuture<?> scheduleWithFixedDelay(Runnable task, Duration delay) {
        return delegate.scheduleWithFixedDelay(wrap(task), delay);
    }

    @Override
    public String toString() {
        return "ThredoTaskScheduler[" + delegate + "]";
    }
}
