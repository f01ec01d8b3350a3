package dev.thredo.spring.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.thredo.spring.ThredoAutoConfiguration;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.aop.framework.Advised;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

class ThredoJdbcAutoConfigurationTest {
    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(ThredoAutoConfiguration.class, ThredoJdbcAutoConfiguration.class));

    @Test
    void wrapsEveryDataSourceBeanKeepingItsTypeAndItsDestroyMethod() {
        StubJdbc.StubDataSource[] real = new StubJdbc.StubDataSource[2];
        runner.withUserConfiguration(DataSources.class).run(context -> {
            assertThat(context).hasNotFailed();
            StubJdbc.StubDataSource inferred = context.getBean("inferredClose", StubJdbc.StubDataSource.class);
            Shutdown named = context.getBean("namedShutdown", Shutdown.class);
            assertThat(ThredoDataSource.isWrapped(inferred)).isTrue();
            assertThat(ThredoDataSource.isWrapped(named)).isTrue();
            real[0] = (StubJdbc.StubDataSource) ((Advised) inferred).getTargetSource().getTarget();
            real[1] = (Shutdown) ((Advised) named).getTargetSource().getTarget();
            assertThat(real[0].isClosed()).isFalse();
        });
        assertThat(real[0].isClosed()).as("close, inferred").isTrue();
        assertThat(real[1].isClosed()).as("shutdown, named by the bean definition").isTrue();
    }

    @Test
    void backsOffWhenDisabled() {
        runner.withUserConfiguration(DataSources.class).withPropertyValues("thredo.jdbc.enabled=false")
                .run(context -> assertThat(ThredoDataSource.isWrapped(context.getBean("inferredClose"))).isFalse());
    }

    @Test
    void backsOffWithoutAKernel() {
        runner.withUserConfiguration(DataSources.class).withPropertyValues("thredo.enabled=false")
                .run(context -> assertThat(ThredoDataSource.isWrapped(context.getBean("inferredClose"))).isFalse());
    }

    @Configuration(proxyBeanMethods = false)
    static class DataSources {
        @Bean
        StubJdbc.StubDataSource inferredClose() {
            return new StubJdbc.StubDataSource(new StubJdbc());
        }

        @Bean(destroyMethod = "shutdown")
        DataSource namedShutdown() {
            return new Shutdown(new StubJdbc());
        }
    }

    /** A data source closed by a method that only its bean definition names. */
    static class Shutdown extends StubJdbc.StubDataSource {
        Shutdown(StubJdbc jdbc) {
            super(jdbc);
        }

        public void shutdown() {
            markClosed();
        }

        @Override
        public void close() {
            throw new AssertionError("not the destroy method");
        }
    }
}
