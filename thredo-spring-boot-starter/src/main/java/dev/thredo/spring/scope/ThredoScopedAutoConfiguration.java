package dev.thredo.spring.scope;

import dev.thredo.Kernel;
import dev.thredo.spring.ThredoAutoConfiguration;
import dev.thredo.spring.ThredoScoped;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Role;
import org.springframework.core.env.Environment;

/**
 * Applies {@link ThredoScoped}: an infrastructure advisor, so both Boot's AspectJ auto-proxying and
 * its plain class proxying (without AspectJ on the class path) pick it up.
 */
@AutoConfiguration(after = ThredoAutoConfiguration.class)
@ConditionalOnClass({Kernel.class, org.springframework.aop.Advisor.class})
@ConditionalOnBean(Kernel.class)
@Role(BeanDefinition.ROLE_INFRASTRUCTURE)
public final class ThredoScopedAutoConfiguration {

    /** Created by Spring Boot only: exclude this auto-configuration or replace its beans instead. */
    ThredoScopedAutoConfiguration() {
    }

    @Bean
    @Role(BeanDefinition.ROLE_INFRASTRUCTURE)
    @ConditionalOnMissingBean
    static ThredoScopedAdvisor thredoScopedAdvisor(ObjectProvider<Kernel> kernel, Environment environment) {
        return new ThredoScopedAdvisor(new ThredoScopedInterceptor(kernel::getObject, environment));
    }
}
