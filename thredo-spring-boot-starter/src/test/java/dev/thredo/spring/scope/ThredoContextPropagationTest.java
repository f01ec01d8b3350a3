package dev.thredo.spring.scope;

import static org.assertj.core.api.Assertions.assertThat;

import dev.thredo.Kernel;
import dev.thredo.ThredoGroup;
import dev.thredo.ThredoThread;
import dev.thredo.spring.ThredoAutoConfiguration;
import dev.thredo.spring.ThredoScoped;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.MDC;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.aop.AopAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Timeout(30)
class ThredoContextPropagationTest {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(AopAutoConfiguration.class, ThredoAutoConfiguration.class,
                    ThredoScopedAutoConfiguration.class, ThredoContextPropagationAutoConfiguration.class))
            .withUserConfiguration(Beans.class);

    @Test
    void membersOfAScopeCarryTheCallersMdc() {
        runner.run(context -> {
            Service service = context.getBean(Service.class);
            MDC.put("requestId", "r-42");
            try {
                // From a plain thread (adopted for the call) ...
                assertThat(service.memberSeesMdc()).isEqualTo("r-42");
                // ... and from a thredo thread, which does not inherit MDC by itself.
                Kernel kernel = context.getBean(Kernel.class);
                assertThat(kernel.run(() -> {
                    MDC.put("requestId", "r-43");
                    return service.memberSeesMdc();
                })).isEqualTo("r-43");
            } finally {
                MDC.remove("requestId");
            }
        });
    }

    @Test
    void aThreadSpawnedWithoutContextSeesNone() {
        runner.run(context -> {
            MDC.remove("requestId");
            Kernel kernel = context.getBean(Kernel.class);
            ThredoThread<String> t = kernel.spawn(() -> MDC.get("requestId"));
            assertThat(t.join()).isNull();
        });
    }

    @Configuration(proxyBeanMethods = false)
    static class Beans {
        @Bean
        Service service() {
            return new Service();
        }
    }

    public static class Service {
        @ThredoScoped
        public String memberSeesMdc() {
            ThredoGroup group = ThredoGroup.current().orElseThrow();
            ThredoThread<String> member = group.spawn(() -> MDC.get("requestId"));
            return member.join();
        }
    }
}
