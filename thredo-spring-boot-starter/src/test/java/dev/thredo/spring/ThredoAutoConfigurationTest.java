package dev.thredo.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.thredo.Kernel;
import dev.thredo.ThredoThread;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

class ThredoAutoConfigurationTest {
    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(ThredoAutoConfiguration.class));

    @Test
    void providesOneKernelFromTheProperties() {
        runner.withPropertyValues("thredo.virtual-threads=false").run(context -> {
            assertThat(context).hasSingleBean(Kernel.class);
            Kernel kernel = context.getBean(Kernel.class);
            assertThat(kernel.run(() -> Thread.currentThread().isVirtual())).isFalse();
        });
    }

    @Test
    void backsOffWhenDisabled() {
        runner.withPropertyValues("thredo.enabled=false").run(context -> assertThat(context).doesNotHaveBean(Kernel.class));
    }

    @Test
    void backsOffForTheApplicationsOwnKernel() {
        runner.withUserConfiguration(OwnKernel.class).run(context -> {
            assertThat(context).hasSingleBean(Kernel.class);
            assertThat(context.getBean(Kernel.class).name()).isEqualTo("own");
        });
    }

    @Test
    void closingTheContextCancelsEveryLiveThread() {
        AtomicReference<ThredoThread<Void>> left = new AtomicReference<>();
        runner.run(context -> left.set(context.getBean(Kernel.class).spawn(() -> dev.thredo.Thredo.sleep(Duration.ofDays(1)))));
        assertThat(left.get().isDone()).isTrue();
        assertThat(left.get().isCancelled()).isTrue();
    }

    @Configuration(proxyBeanMethods = false)
    static class OwnKernel {
        @Bean(destroyMethod = "close")
        Kernel ownKernel() {
            return Kernel.builder().name("own").build();
        }
    }
}
