package dev.thredo.spring.actuate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.thredo.Kernel;
import dev.thredo.ThredoThread;
import dev.thredo.Thredo;
import dev.thredo.spring.ThredoAutoConfiguration;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Timeout(30)
class ThredoMetricsAutoConfigurationTest {
    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(ThredoAutoConfiguration.class, MetricsAutoConfiguration.class,
                    ThredoMetricsAutoConfiguration.class));

    @Test
    void bindsTheMetersAndListensToTheKernel() {
        runner.withUserConfiguration(Registry.class).run(context -> {
            assertThat(context).hasSingleBean(ThredoMetrics.class);
            assertThat(context).hasSingleBean(ThredoCancelLatencyMetrics.class);
            MeterRegistry registry = context.getBean(MeterRegistry.class);
            assertThat(registry.get("thredo.threads.live").gauges()).hasSize(3);
            assertThat(registry.get("thredo.threads.ended").functionCounters()).hasSize(3);

            ThredoThread<Void> sleeper = context.getBean(Kernel.class).spawn(() -> Thredo.sleep(Duration.ofDays(1)));
            sleeper.requestCancel();
            sleeper.await();

            assertThat(registry.get("thredo.cancel.latency").timer().count()).isEqualTo(1);
        });
    }

    @Test
    void bootsSloPropertyReplacesTheCancelLatencyBuckets() {
        runner.withUserConfiguration(Registry.class)
                .withPropertyValues("management.metrics.distribution.slo.thredo.cancel.latency=100ms,2s")
                .run(context -> {
                    MeterRegistry registry = context.getBean(MeterRegistry.class);
                    assertThat(registry.get("thredo.cancel.latency").timer().takeSnapshot().histogramCounts())
                            .extracting(b -> b.bucket(TimeUnit.MILLISECONDS))
                            .containsExactly(100.0, 2000.0);
                });
    }

    @Test
    void backsOffWithoutAMeterRegistry() {
        runner.run(context -> {
            assertThat(context).hasSingleBean(Kernel.class);
            assertThat(context).doesNotHaveBean(ThredoMetrics.class);
            assertThat(context).doesNotHaveBean(ThredoCancelLatencyMetrics.class);
        });
    }

    @Test
    void backsOffWithoutMicrometer() {
        runner.withClassLoader(new FilteredClassLoader(MeterRegistry.class)).run(context -> {
            assertThat(context).hasSingleBean(Kernel.class);
            assertThat(context).doesNotHaveBean(ThredoMetrics.class);
            assertThat(context).doesNotHaveBean(ThredoCancelLatencyMetrics.class);
        });
    }

    @Test
    void backsOffWithoutAKernel() {
        runner.withUserConfiguration(Registry.class).withPropertyValues("thredo.enabled=false")
                .run(context -> assertThat(context).doesNotHaveBean(ThredoMetrics.class));
    }

    @Test
    void backsOffForTheApplicationsOwnMetrics() {
        runner.withUserConfiguration(Registry.class, OwnMetrics.class).run(context -> {
            assertThat(context).hasSingleBean(ThredoMetrics.class);
            assertThat(context.getBean(ThredoMetrics.class)).isSameAs(context.getBean("ownMetrics"));
        });
    }

    @Configuration(proxyBeanMethods = false)
    static class Registry {
        @Bean
        SimpleMeterRegistry registry() {
            return new SimpleMeterRegistry();
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class OwnMetrics {
        @Bean
        ThredoMetrics ownMetrics(Kernel kernel) {
            return new ThredoMetrics(kernel);
        }
    }
}
