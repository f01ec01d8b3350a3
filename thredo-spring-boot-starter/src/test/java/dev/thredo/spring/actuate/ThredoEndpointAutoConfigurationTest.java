package dev.thredo.spring.actuate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.thredo.Kernel;
import dev.thredo.spring.ThredoAutoConfiguration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

class ThredoEndpointAutoConfigurationTest {
    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(ThredoAutoConfiguration.class,
                    ThredoEndpointAutoConfiguration.class));

    @Test
    void providesTheEndpointAndItsWebExtensionWhenExposedOverHttp() {
        runner.withPropertyValues("management.endpoints.web.exposure.include=thredo").run(context -> {
            assertThat(context).hasSingleBean(ThredoEndpoint.class);
            assertThat(context).hasSingleBean(ThredoEndpointWebExtension.class);
        });
    }

    @Test
    void backsOffWhenTheEndpointIsNotExposed() {
        runner.run(context -> {
            assertThat(context).doesNotHaveBean(ThredoEndpoint.class);
            assertThat(context).doesNotHaveBean(ThredoEndpointWebExtension.class);
        });
    }

    @Test
    void backsOffWhenAccessIsNone() {
        runner.withPropertyValues("management.endpoints.web.exposure.include=thredo",
                "management.endpoint.thredo.access=NONE")
                .run(context -> assertThat(context).doesNotHaveBean(ThredoEndpoint.class));
    }

    @Test
    void backsOffWithoutAKernel() {
        runner.withPropertyValues("management.endpoints.web.exposure.include=thredo", "thredo.enabled=false")
                .run(context -> {
                    assertThat(context).doesNotHaveBean(Kernel.class);
                    assertThat(context).doesNotHaveBean(ThredoEndpoint.class);
                    assertThat(context).doesNotHaveBean(ThredoEndpointWebExtension.class);
                });
    }

    @Test
    void backsOffForTheApplicationsOwnEndpoint() {
        runner.withPropertyValues("management.endpoints.web.exposure.include=thredo")
                .withUserConfiguration(OwnEndpoint.class)
                .run(context -> {
                    assertThat(context).hasSingleBean(ThredoEndpoint.class);
                    assertThat(context.getBean(ThredoEndpoint.class)).isSameAs(context.getBean("ownEndpoint"));
                });
    }

    @Test
    void backsOffWithoutTheActuator() {
        runner.withPropertyValues("management.endpoints.web.exposure.include=thredo")
                .withClassLoader(new FilteredClassLoader(Endpoint.class))
                .run(context -> {
                    assertThat(context).hasSingleBean(Kernel.class);
                    assertThat(context).doesNotHaveBean(ThredoEndpoint.class);
                });
    }

    @Configuration(proxyBeanMethods = false)
    static class OwnEndpoint {
        @Bean
        ThredoEndpoint ownEndpoint(Kernel kernel) {
            return new ThredoEndpoint(kernel);
        }
    }
}
