package dev.thredo.spring.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;

/** The JDBC tests' PostgreSQL: a real server behind a pool, and nothing left of it after close. */
class EmbeddedPostgresSupportTest {

    @Test
    void answersSelectOneThroughThePoolAndIsGoneAfterClose() throws Exception {
        Path dataDirectory;
        String url;
        try (EmbeddedPostgresSupport pg = EmbeddedPostgresSupport.start()) {
            JdbcTemplate jdbc = new JdbcTemplate(pg.dataSource());
            assertThat(jdbc.queryForObject("SELECT 1", Integer.class)).isEqualTo(1);
            assertThat(pg.dataSource().getHikariPoolMXBean().getActiveConnections()).isZero();

            dataDirectory = Path.of(jdbc.queryForObject("SELECT current_setting('data_directory')", String.class));
            assertThat(dataDirectory).isDirectory();
            url = pg.jdbcUrl();
        }
        assertThat(Files.exists(dataDirectory)).isFalse();
        assertThatThrownBy(() -> DriverManager.getConnection(url, "postgres", "").close())
                .isInstanceOf(SQLException.class);
    }
}
