package dev.thredo.spring.actuate;

import dev.thredo.Kernel;
import dev.thredo.spring.ThredoAutoConfiguration;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * Auto-configures the thredo meters when Micrometer is present and the application has a
 * {@link MeterRegistry}: {@link ThredoMetrics} for the application's {@link Kernel}, and
 * {@link ThredoCancelLatencyMetrics}, which the kernel picks up as a listener.
 *
 * <p>The kernel is built from every {@code KernelListener} bean, so the latency listener must not
 * depend on the kernel (nor on a registry: Boot binds it as a {@code MeterBinder} later); only
 * {@code ThredoMetrics} does. Each bean backs off for one the application defines.
 */
@AutoConfiguration(after = ThredoAutoConfiguration.class, afterName = {
        "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration",
        "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
        "org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration" })
@ConditionalOnClass({ MeterRegistry.class, Kernel.class })
@ConditionalOnBean({ MeterRegistry.class, Kernel.class })
public final class ThredoMetricsAutoConfiguration {

    /** Created by Spring Boot only: exclude this auto-configuration or replace its beans instead. */
    ThredoMetricsAutoConfiguration() {
    }

    @Bean
    @ConditionalOnMissingBean
    ThredoMetrics thredoMetrics(Kernel kernel) {
        return new ThredoMetrics(kernel);
    }

    @Bean
    @ConditionalOnMissingBean
    static ThredoCancelLatencyMetrics thredoCancelLatencyMetrics() {
        return new ThredoCancelLatencyMetrics();
    }
}
