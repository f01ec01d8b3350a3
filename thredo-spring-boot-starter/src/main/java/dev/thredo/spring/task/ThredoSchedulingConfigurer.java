package dev.thredo.spring.task;

import dev.thredo.Kernel;
import java.util.Objects;
import java.util.function.Supplier;
import org.springframework.core.Ordered;
import org.springframework.scheduling.TaskScheduler;
import org.springframework.scheduling.annotation.SchedulingConfigurer;
import org.springframework.scheduling.config.ScheduledTaskRegistrar;

/**
 * Puts a {@link ThredoTaskScheduler} in front of the scheduler that {@code @Scheduled} methods run
 * on, whichever it is (Boot's {@code taskScheduler}, one chosen per method with
 * {@code @Scheduled(scheduler = ...)}, or one an application's {@code SchedulingConfigurer} set): runs
 * last, after the application's configurers.
 */
public class ThredoSchedulingConfigurer implements SchedulingConfigurer, Ordered {

    private final Supplier<Kernel> kernel;

    /**
     * Creates the configurer; the task auto-configuration registers one.
     *
     * @param kernel the kernel that scheduled runs are adopted into (looked up when a run starts, so
     *     the configurer can be created before the kernel bean)
     * @throws NullPointerException if {@code kernel} is {@code null}
     */
    public ThredoSchedulingConfigurer(Supplier<Kernel> kernel) {
        this.kernel = Objects.requireNonNull(kernel, "kernel");
    }

    @Override
    public void configureTasks(ScheduledTaskRegistrar registrar) {
        TaskScheduler scheduler = registrar.getScheduler();
        if (scheduler != null && !(scheduler instanceof ThredoTaskScheduler)) {
            registrar.setTaskScheduler(new ThredoTaskScheduler(scheduler, kernel));
        }
    }

    @Override
    public int getOrder() {
        return Ordered.LOWEST_PRECEDENCE;
    }
}
