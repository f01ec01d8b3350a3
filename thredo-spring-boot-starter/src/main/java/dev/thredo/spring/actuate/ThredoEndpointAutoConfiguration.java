package dev.thredo.spring.actuate;

import dev.thredo.Kernel;
import dev.thredo.spring.ThredoAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.autoconfigure.endpoint.expose.EndpointExposure;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * Auto-configures the {@link ThredoEndpoint} (and its {@link ThredoEndpointWebExtension} when it is
 * exposed over HTTP) for the application's {@link Kernel}, when the actuator is present and the
 * endpoint is available. Each bean backs off for one the application defines.
 */
@AutoConfiguration(after = ThredoAutoConfiguration.class)
@ConditionalOnClass(Endpoint.class)
@ConditionalOnAvailableEndpoint(ThredoEndpoint.class)
public final class ThredoEndpointAutoConfiguration {

    /** Created by Spring Boot only: exclude this auto-configuration or replace its beans instead. */
    ThredoEndpointAutoConfiguration() {
    }

    @Bean
    @ConditionalOnBean(Kernel.class)
    @ConditionalOnMissingBean
    ThredoEndpoint thredoEndpoint(Kernel kernel) {
        return new ThredoEndpoint(kernel);
    }

    @Bean
    @ConditionalOnBean(ThredoEndpoint.class)
    @ConditionalOnMissingBean
    @ConditionalOnAvailableEndpoint(endpoint = ThredoEndpoint.class, exposure = EndpointExposure.WEB)
    ThredoEndpointWebExtension thredoEndpointWebExtension(ThredoEndpoint endpoint) {
        return new ThredoEndpointWebExtension(endpoint);
    }
}
