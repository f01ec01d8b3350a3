package dev.thredo.spring.web;

import dev.thredo.Kernel;
import dev.thredo.spring.ThredoAutoConfiguration;
import dev.thredo.spring.ThredoProperties;
import java.util.List;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.web.method.support.HandlerMethodArgumentResolver;
import org.springframework.web.servlet.DispatcherServlet;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * Spring MVC request scope: each request runs as a thredo thread named {@code "<METHOD> <path>"}
 * with a request-scoped {@link dev.thredo.ThredoGroup} (see {@link ThredoRequestFilter}); handler
 * parameters of type {@code ThredoGroup} receive it; cancelled or timed-out requests answer 503 with
 * an RFC 9457 problem body. On by default in a servlet web application with a thredo kernel; off with
 * {@code thredo.web.enabled=false}.
 */
@AutoConfiguration(after = ThredoAutoConfiguration.class)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnClass({DispatcherServlet.class, Kernel.class})
@ConditionalOnBean(Kernel.class)
@ConditionalOnProperty(prefix = "thredo.web", name = "enabled", havingValue = "true", matchIfMissing = true)
@EnableConfigurationProperties(ThredoProperties.class)
public class ThredoWebMvcAutoConfiguration {

    /**
     * Order of the request filter: after Boot's own filters (character encoding, observation, form
     * content, request context) and after Spring Security (-100), so it wraps handler execution.
     */
    public static final int FILTER_ORDER = 0;

    @Bean
    @ConditionalOnMissingBean(name = "thredoRequestFilter")
    FilterRegistrationBean<ThredoRequestFilter> thredoRequestFilter(Kernel kernel, ThredoProperties properties) {
        FilterRegistrationBean<ThredoRequestFilter> registration = new FilterRegistrationBean<>(
                new ThredoRequestFilter(kernel, properties.getWeb().getRequestTimeout()));
        registration.setName("thredoRequestFilter");
        registration.setOrder(FILTER_ORDER);
        return registration;
    }

    @Bean
    @ConditionalOnMissingBean
    ThredoCancellationExceptionResolver thredoCancellationExceptionResolver() {
        return new ThredoCancellationExceptionResolver();
    }

    @Bean
    WebMvcConfigurer thredoWebMvcConfigurer() {
        return new WebMvcConfigurer() {
            @Override
            public void addArgumentResolvers(List<HandlerMethodArgumentResolver> resolvers) {
                resolvers.add(new ThredoGroupArgumentResolver());
            }
        };
    }
}
