package dev.thredo.spring.jdbc;

import javax.sql.DataSource;
import org.springframework.beans.factory.config.BeanPostProcessor;

/**
 * {@linkplain ThredoDataSource#wrap Wraps} every {@link DataSource} bean once it is initialized (its
 * configuration properties bound, its pool started), so that {@code JdbcTemplate}, JPA and plain JDBC
 * code using the bean are all covered. A data source that is wrapped already is left as it is.
 */
public class ThredoDataSourcePostProcessor implements BeanPostProcessor {

    /**
     * Creates the post-processor. The JDBC auto-configuration registers one (as an infrastructure
     * bean, from a static method, so that it sees every {@code DataSource} bean).
     */
    public ThredoDataSourcePostProcessor() {
    }

    @Override
    public Object postProcessAfterInitialization(Object bean, String beanName) {
        return bean instanceof DataSource dataSource ? ThredoDataSource.wrap(dataSource) : bean;
    }
}
