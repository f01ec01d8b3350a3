package dev.thredo.demo;

import com.zaxxer.hikari.HikariDataSource;
import dev.thredo.embedded.EmbeddedPostgresLauncher;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.jdbc.DataSourceBuilder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Condition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.type.AnnotatedTypeMetadata;
import org.springframework.util.StringUtils;

/**
 * The demo's default database: when {@code spring.datasource.url} is not set, a PostgreSQL server of
 * its own ({@link EmbeddedPostgresLauncher}: a free port on 127.0.0.1, a fresh data directory), started
 * with the application context and stopped, its data deleted, when the context closes. The launcher
 * is the one the project's JDBC tests start their PostgreSQL with (thredo-core's test artifact, a
 * dependency of this application for that reason alone: the demo's database is a throwaway one, as
 * zonky's library, {@code io.zonky.test}, is made for tests). The
 * {@code DataSource} is a HikariCP pool on it ({@code spring.datasource.hikari.*} applies).
 *
 * <p>With {@code spring.datasource.url} set, this configuration steps aside and Boot's own DataSource
 * auto-configuration connects to that database instead.
 */
@Configuration(proxyBeanMethods = false)
@Conditional(EmbeddedDatabaseConfig.NoDataSourceUrl.class)
class EmbeddedDatabaseConfig {

    @Bean(destroyMethod = "close")
    EmbeddedPostgres embeddedPostgres() throws IOException {
        return EmbeddedPostgresLauncher.start();
    }

    /** Closed (by Spring's inferred {@code close}) before the server it points to is stopped. */
    @Bean
    @ConfigurationProperties("spring.datasource.hikari")
    HikariDataSource dataSource(EmbeddedPostgres postgres) {
        return DataSourceBuilder.create()
                .type(HikariDataSource.class)
                .url(EmbeddedPostgresLauncher.jdbcUrl(postgres))
                .username("postgres")
                .build();
    }

    /** Matches when {@code spring.datasource.url} is missing or empty. */
    static final class NoDataSourceUrl implements Condition {

        @Override
        public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
            return !StringUtils.hasText(context.getEnvironment().getProperty("spring.datasource.url"));
        }
    }
}
