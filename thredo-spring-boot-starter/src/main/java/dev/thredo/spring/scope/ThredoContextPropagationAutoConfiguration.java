package dev.thredo.spring.scope;

import dev.thredo.Kernel;
import dev.thredo.TaskDecorator;
import io.micrometer.context.ContextRegistry;
import io.micrometer.context.ContextSnapshotFactory;
import io.micrometer.context.integration.Slf4jThreadLocalAccessor;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * Context propagation: every thread spawned by the kernel (a request's or a {@code @ThredoScoped}
 * scope's members included) carries its spawner's context (the SLF4J MDC, and whatever else is
 * registered with Micrometer's {@link ContextRegistry}, such as the current Observation and so the
 * tracing context), captured at spawn and restored in the new thread. Active when Micrometer's
 * context-propagation library is on the class path.
 */
@AutoConfiguration(before = dev.thredo.spring.ThredoAutoConfiguration.class)
@ConditionalOnClass({Kernel.class, ContextSnapshotFactory.class})
@ConditionalOnBooleanProperty(name = "thredo.enabled", matchIfMissing = true)
public final class ThredoContextPropagationAutoConfiguration {

    /** Created by Spring Boot only: exclude this auto-configuration or replace its beans instead. */
    ThredoContextPropagationAutoConfiguration() {
    }

    @Bean
    @ConditionalOnMissingBean(name = "thredoContextPropagation")
    TaskDecorator thredoContextPropagation() {
        ContextRegistry registry = ContextRegistry.getInstance();
        boolean mdcRegistered = registry.getThreadLocalAccessors().stream()
                .anyMatch(a -> Slf4jThreadLocalAccessor.KEY.equals(a.key()));
        if (!mdcRegistered && isPresent("org.slf4j.MDC")) {
            registry.registerThreadLocalAccessor(new Slf4jThreadLocalAccessor());
        }
        ContextSnapshotFactory snapshots = ContextSnapshotFactory.builder().contextRegistry(registry).build();
        return task -> snapshots.captureAll().wrap(task);
    }

    private static boolean isPresent(String className) {
        try {
            Class.forName(className, false, ThredoContextPropagationAutoConfiguration.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }
}
