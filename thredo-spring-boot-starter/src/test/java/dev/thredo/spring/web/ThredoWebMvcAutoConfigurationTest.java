package dev.thredo.spring.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.thredo.spring.ThredoAutoConfiguration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.web.servlet.FilterRegistrationBean;

class ThredoWebMvcAutoConfigurationTest {
    private final WebApplicationContextRunner web = new WebApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(ThredoAutoConfiguration.class, ThredoWebMvcAutoConfiguration.class));

    @Test
    void registersTheRequestFilterInAServletWebApplication() {
        web.withPropertyValues("thredo.web.request-timeout=2s").run(context -> {
            assertThat(context).hasBean("thredoRequestFilter");
            assertThat(context).hasSingleBean(ThredoCancellationExceptionResolver.class);
            FilterRegistrationBean<?> registration = context.getBean("thredoRequestFilter", FilterRegistrationBean.class);
            assertThat(registration.getFilter()).isInstanceOf(ThredoRequestFilter.class);
            assertThat(registration.getOrder()).isEqualTo(ThredoWebMvcAutoConfiguration.FILTER_ORDER);
        });
    }

    @Test
    void backsOffWhenDisabled() {
        web.withPropertyValues("thredo.web.enabled=false").run(context -> {
            assertThat(context).doesNotHaveBean("thredoRequestFilter");
            assertThat(context).doesNotHaveBean(ThredoCancellationExceptionResolver.class);
        });
    }

    @Test
    void backsOffWithoutAKernel() {
        web.withPropertyValues("thredo.enabled=false").run(context ->
                assertThat(context).doesNotHaveBean("thredoRequestFilter"));
    }

    @Test
    void backsOffOutsideAServletWebApplication() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(ThredoAutoConfiguration.class, ThredoWebMvcAutoConfiguration.class))
                .run(context -> assertThat(context).doesNotHaveBean("thredoRequestFilter"));
    }

    @Test
    void rejectsANonPositiveRequestTimeout() {
        web.withPropertyValues("thredo.web.request-timeout=0s").run(context -> assertThat(context).hasFailed());
    }
}
