package dev.thredo.spring.jdbc;

import dev.thredo.Kernel;
import dev.thredo.spring.ThredoAutoConfiguration;
import javax.sql.DataSource;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Role;

/**
 * JDBC statements cancelled in the database: every {@link DataSource} bean is
 * {@linkplain ThredoDataSource wrapped}, so that a statement run in a thredo thread (a request, a
 * {@code @ThredoScoped} call) ends when its thread is cancelled or its deadline passes, with the
 * pooled connection kept. Off with {@code thredo.jdbc.enabled=false}.
 */
@AutoConfiguration(after = ThredoAutoConfiguration.class)
@ConditionalOnClass({Kernel.class, DataSource.class})
@ConditionalOnBean(Kernel.class)
@ConditionalOnBooleanProperty(name = "thredo.jdbc.enabled", matchIfMissing = true)
@Role(BeanDefinition.ROLE_INFRASTRUCTURE)
public final class ThredoJdbcAutoConfiguration {

    /** Created by Spring Boot only: exclude this auto-configuration or replace its beans instead. */
    ThredoJdbcAutoConfiguration() {
    }

    @Bean
    @Role(BeanDefinition.ROLE_INFRASTRUCTURE)
    @ConditionalOnMissingBean
    static ThredoDataSourcePostProcessor thredoDataSourcePostProcessor() {
        return new ThredoDataSourcePostProcessor();
    }
}
