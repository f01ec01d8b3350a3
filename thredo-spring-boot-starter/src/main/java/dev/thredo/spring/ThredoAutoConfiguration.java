package dev.thredo.spring;

import dev.thredo.Kernel;
import dev.thredo.KernelListener;
import dev.thredo.TaskDecorator;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;

/**
 * Auto-configures the application's thredo {@link Kernel}: one per application context, built from
 * {@link ThredoProperties} and every {@link KernelListener} bean, and closed with the context
 * (every live thread cancelled, waiting up to {@code thredo.shutdown-timeout}, logging by name what
 * would not stop), which {@link ThredoShutdown} does in step with the application's shutdown: threads
 * serving no request when it begins, requests when the web server's graceful window is over. Backs
 * off when the application defines its own {@code Kernel}.
 */
@AutoConfiguration
@ConditionalOnClass(Kernel.class)
@ConditionalOnBooleanProperty(name = "thredo.enabled", matchIfMissing = true)
@EnableConfigurationProperties(ThredoProperties.class)
public final class ThredoAutoConfiguration {

    /** Created by Spring Boot only: exclude this auto-configuration or replace its beans instead. */
    ThredoAutoConfiguration() {
    }

    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    Kernel thredoKernel(ThredoProperties properties, ObjectProvider<KernelListener> listeners,
            ObjectProvider<TaskDecorator> decorators) {
        Kernel.Builder builder = Kernel.builder()
                .name("thredo")
                .stuckThreshold(properties.getStuckThreshold())
                .shutdownGracePeriod(properties.getShutdownTimeout());
        if (properties.isVirtualThreads()) {
            builder.virtualThreads();
        } else {
            builder.platformThreads();
        }
        listeners.orderedStream().forEach(builder::listener);
        decorators.orderedStream().forEach(builder::taskDecorator);
        return builder.build();
    }

    @Bean
    @ConditionalOnMissingBean
    RequestThreads thredoRequestThreads() {
        return new RequestThreads();
    }

    @Bean
    @ConditionalOnMissingBean
    ThredoShutdown thredoShutdown(Kernel kernel, ThredoProperties properties, RequestThreads requests,
            ApplicationContext context) {
        return new ThredoShutdown(kernel, properties.getShutdownTimeout(), requests, context);
    }
}
