package dev.thredo.spring.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.thredo.spring.ThredoAutoConfiguration;
import dev.thredo.spring.actuate.ThredoEndpointAutoConfiguration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.actuate.autoconfigure.endpoint.EndpointAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.endpoint.web.WebEndpointAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;

class ThredoSecurityAutoConfigurationTest {

    private final WebApplicationContextRunner runner = new WebApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(ThredoAutoConfiguration.class, EndpointAutoConfiguration.class,
                    WebEndpointAutoConfiguration.class, ThredoEndpointAutoConfiguration.class,
                    ThredoSecurityAutoConfiguration.class));

    @Test
    void customizesHttpSecurityWhenTheEndpointIsExposedOverHttp() {
        runner.withPropertyValues("management.endpoints.web.exposure.include=thredo")
                .run(context -> assertThat(context).hasBean("thredoCsrfProblemCustomizer")
                        .getBean("thredoCsrfProblemCustomizer").isInstanceOf(Customizer.class));
    }

    @Test
    void backsOffWhenTheEndpointIsNotExposed() {
        runner.run(context -> assertThat(context).doesNotHaveBean("thredoCsrfProblemCustomizer"));
    }

    @Test
    void backsOffWithoutAKernel() {
        runner.withPropertyValues("management.endpoints.web.exposure.include=thredo", "thredo.enabled=false")
                .run(context -> assertThat(context).doesNotHaveBean("thredoCsrfProblemCustomizer"));
    }

    @Test
    void backsOffWithoutSpringSecurity() {
        runner.withPropertyValues("management.endpoints.web.exposure.include=thredo")
                .withClassLoader(new FilteredClassLoader(HttpSecurity.class))
                .run(context -> assertThat(context).doesNotHaveBean("thredoCsrfProblemCustomizer"));
    }
}
