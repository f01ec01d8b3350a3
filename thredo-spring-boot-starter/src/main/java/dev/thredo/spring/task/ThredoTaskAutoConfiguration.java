package dev.thredo.spring.task;

import dev.thredo.Kernel;
import dev.thredo.spring.ThredoAutoConfiguration;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.task.TaskExecutionAutoConfiguration;
import org.springframework.boot.autoconfigure.task.TaskSchedulingAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Role;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.core.task.TaskDecorator;
import org.springframework.scheduling.annotation.SchedulingConfigurer;
import org.springframework.util.function.SingletonSupplier;

/**
 * Spring's execution paths as thredo threads ({@code thredo.task.enabled}, on by default):
 * <ul>
 *   <li>{@link ThredoTaskDecorator}, a {@code TaskDecorator} bean, which Boot applies to the
 *       {@code applicationTaskExecutor} ({@code @Async}, Spring MVC async processing) and the
 *       {@code taskScheduler} it auto-configures, keeping everything {@code spring.task.*} and
 *       {@code spring.threads.virtual.enabled} configure: every task runs on the executor's own thread,
 *       adopted into the kernel for its duration;</li>
 *   <li>{@link ThredoSchedulingConfigurer}: each run of a {@code @Scheduled} method is a thredo thread
 *       named after it, and a cancelled run neither reaches the scheduler's error handler nor stops the
 *       schedule;</li>
 *   <li>{@link ThredoAsyncPostProcessor}: each call of an {@code @Async} method is a thredo thread named
 *       after it, cancelled by {@code Future.cancel(true)} and {@code CompletableFuture.cancel}, and a
 *       cancelled call of a {@code void} method does not reach the {@code AsyncUncaughtExceptionHandler}.</li>
 * </ul>
 * An executor or scheduler the application defines itself is left as it is (Boot does not create its
 * own then); it opts in with {@code setTaskDecorator(thredoTaskDecorator)}, or by being built from
 * Boot's builders, which apply every {@code TaskDecorator} bean.
 */
@AutoConfiguration(after = ThredoAutoConfiguration.class,
        before = {TaskExecutionAutoConfiguration.class, TaskSchedulingAutoConfiguration.class})
@ConditionalOnClass({Kernel.class, TaskDecorator.class, SchedulingConfigurer.class})
@ConditionalOnBean(Kernel.class)
@ConditionalOnBooleanProperty(name = "thredo.task.enabled", matchIfMissing = true)
public final class ThredoTaskAutoConfiguration {

    /** Created by Spring Boot only: exclude this auto-configuration or replace its beans instead. */
    ThredoTaskAutoConfiguration() {
    }

    /** Applied last by Boot (outermost), so the adoption spans any other decorator's work. */
    @Bean
    @Order(Ordered.LOWEST_PRECEDENCE)
    @ConditionalOnMissingBean(name = "thredoTaskDecorator")
    ThredoTaskDecorator thredoTaskDecorator(ObjectProvider<Kernel> kernel,
            ObjectProvider<dev.thredo.TaskDecorator> contextDecorators) {
        // Looked up once, on first use: the decorator runs for every task submitted.
        return new ThredoTaskDecorator(SingletonSupplier.of(kernel::getObject),
                SingletonSupplier.of(() -> contextDecorators.orderedStream().toList()));
    }

    @Bean
    @ConditionalOnMissingBean
    ThredoSchedulingConfigurer thredoSchedulingConfigurer(ObjectProvider<Kernel> kernel) {
        return new ThredoSchedulingConfigurer(SingletonSupplier.of(kernel::getObject));
    }

    @Bean
    @Role(BeanDefinition.ROLE_INFRASTRUCTURE)
    @ConditionalOnMissingBean
    static ThredoAsyncPostProcessor thredoAsyncPostProcessor(ObjectProvider<Kernel> kernel) {
        return new ThredoAsyncPostProcessor(SingletonSupplier.of(kernel::getObject));
    }
}
