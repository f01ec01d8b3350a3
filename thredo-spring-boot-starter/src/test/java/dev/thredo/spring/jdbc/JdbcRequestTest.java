package dev.thredo.spring.jdbc;

import static dev.thredo.testing.Elapsed.millisSince;
import static dev.thredo.testing.ProblemAssertions.assertProblem503Detail;
import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import dev.thredo.Kernel;
import dev.thredo.ThreadInfo;
import dev.thredo.testing.KernelPolling;
import dev.thredo.testing.NoWarnings;
import dev.thredo.spring.ThredoScoped;
import dev.thredo.testing.Polling;
import dev.thredo.testing.TestHttp;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The starter end to end: a HikariCP {@code DataSource} bean on a real
 * PostgreSQL, wrapped by the auto-configuration, and a handler whose query would take 30 s. A 1 s
 * request timeout, a {@code @ThredoScoped(timeout = "1s")} and an HTTP cancel each end the query in
 * the database ({@code pg_stat_activity} clear) and answer 503, long before the query's 30 s (the bound
 * is a generous {@value #GENEROUS_MILLIS} ms, so that a loaded machine cannot fail it; the figures are
 * the benchmark's business), on Boot's default platform request threads and on virtual ones; the pool keeps
 * every connection and its active count returns to 0; nothing is logged at WARN or ERROR. The scoped
 * timeout runs in contexts without a request timeout, so that it is the one that passes.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class JdbcRequestTest {
    /** Far below the query's 30 s, far above what a cancelled query takes to end on a loaded machine. */
    static final long GENEROUS_MILLIS = 10_000;

    /** What every context's tests share: the HTTP client side, the pool and the database checks. */
    @ExtendWith(NoWarnings.class)
    abstract static class Context {
        @LocalServerPort
        int port;

        @Autowired
        Kernel kernel;

        @Autowired
        DataSource dataSource;

        @Autowired
        EmbeddedPostgresSupport postgres;

        /**
         * A GET of {@code path}, whose handler's query would take 30 s, answers the 503 problem with
         * {@code detail} once its 1 s deadline has passed; the query is gone from the database and the
         * pool is healthy.
         */
        void assertTheDeadlineCancelsTheQuery(String path, String detail) throws Exception {
            int total = awaitFullPool();
            long t0 = System.nanoTime();
            HttpResponse<String> r = TestHttp.localhost(port).get(path);
            long ms = millisSince(t0);
            assertProblem503Detail(r, detail, path);
            assertThat(ms).as("503 after the 1 s deadline").isBetween(950L, GENEROUS_MILLIS);
            assertThat(millisUntilQueryGone(t0)).as("query gone after the deadline").isLessThan(GENEROUS_MILLIS);
            assertPoolHealthy(total);
        }

        int awaitFullPool() {
            int size = ((HikariDataSource) dataSource).getMaximumPoolSize();
            Polling.until("the pool is full", () -> pool().getTotalConnections() == size);
            return size;
        }

        /** No thread left, the query gone from the database, every connection back and none lost. */
        void assertPoolHealthy(int total) throws Exception {
            KernelPolling.awaitNoThreads(kernel);
            Polling.until("every connection is back in the pool", () -> pool().getActiveConnections() == 0);
            assertThat(pool().getTotalConnections()).as("connections in the pool").isEqualTo(total);
            assertThat(TestHttp.localhost(port).get("/report?sleep=0").body())
                    .isEqualTo("done");
        }

        /** How long after {@code since} the database had no {@code pg_sleep(30)} running any more. */
        long millisUntilQueryGone(long since) throws Exception {
            try (Connection observer = postgres.postgres().getPostgresDatabase().getConnection()) {
                Polling.until("pg_sleep(30) is no longer active", () -> {
                    try (Statement st = observer.createStatement();
                            ResultSet rs = st.executeQuery("select count(*) from pg_stat_activity where state = 'active'"
                                    + " and query like 'select pg_sleep(%' and pid <> pg_backend_pid()")) {
                        rs.next();
                        return rs.getInt(1) == 0;
                    } catch (SQLException e) {
                        throw new IllegalStateException(e);
                    }
                });
            }
            return millisSince(since);
        }

        HikariPoolMXBean pool() {
            return ((HikariDataSource) dataSource).getHikariPoolMXBean();
        }

    }

    /** A context with {@code thredo.web.request-timeout=1s}. */
    abstract static class Requests extends Context {

        @Test
        void theDataSourceBeanIsWrappedAndKeepsItsType() {
            assertThat(ThredoDataSource.isWrapped(dataSource)).isTrue();
            assertThat(dataSource).isInstanceOf(HikariDataSource.class);
        }

        @Test
        void theRequestTimeoutCancelsTheQueryAndAnswers503() throws Exception {
            assertTheDeadlineCancelsTheQuery("/report", "The request exceeded its timeout of 1s.");
        }

        @Test
        void anHttpCancelCancelsTheQueryAndAnswers503() throws Exception {
            int total = awaitFullPool();
            CompletableFuture<HttpResponse<String>> reply = TestHttp.localhost(port).getAsync("/report");
            ThreadInfo handler = KernelPolling.awaitThread(kernel,
                    t -> t.name().equals("GET /report") && "jdbc executeQuery".equals(t.blockedOn()));
            long t0 = System.nanoTime();
            HttpResponse<String> cancel = TestHttp.localhost(port).post("/actuator/thredo/" + handler.id() + "/cancel");
            assertThat(cancel.statusCode()).isEqualTo(202);
            HttpResponse<String> r = reply.get(10, TimeUnit.SECONDS);
            long ms = millisSince(t0);
            assertProblem503Detail(r, "The request was cancelled.", "/report");
            assertThat(ms).as("503 after the cancel").isLessThan(GENEROUS_MILLIS);
            assertThat(millisUntilQueryGone(t0)).as("query gone after the cancel").isLessThan(GENEROUS_MILLIS);
            assertPoolHealthy(total);
        }
    }

    /** A context without a request timeout: the {@code @ThredoScoped(timeout = "1s")} call's deadline is the one. */
    abstract static class ScopedCalls extends Context {

        @Test
        void theScopedTimeoutCancelsTheQueryAndAnswers503() throws Exception {
            assertTheDeadlineCancelsTheQuery("/scoped-report", "The request exceeded a timeout of 1s.");
        }
    }

    @Nested
    @SpringBootTest(classes = JdbcTestApp.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
            properties = {"thredo.web.request-timeout=1s", "spring.threads.virtual.enabled=false",
                "management.endpoints.web.exposure.include=thredo", "management.endpoint.thredo.access=unrestricted"})
    @DirtiesContext
    class PlatformRequestThreads extends Requests {
    }

    @Nested
    @SpringBootTest(classes = JdbcTestApp.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
            properties = {"thredo.web.request-timeout=1s", "spring.threads.virtual.enabled=true",
                "management.endpoints.web.exposure.include=thredo", "management.endpoint.thredo.access=unrestricted"})
    @DirtiesContext
    class VirtualRequestThreads extends Requests {
    }

    @Nested
    @SpringBootTest(classes = JdbcTestApp.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
            properties = "spring.threads.virtual.enabled=false")
    @DirtiesContext
    class PlatformRequestThreadsScoped extends ScopedCalls {
    }

    @Nested
    @SpringBootTest(classes = JdbcTestApp.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
            properties = "spring.threads.virtual.enabled=true")
    @DirtiesContext
    class VirtualRequestThreadsScoped extends ScopedCalls {
    }

    /** Auto-configuration, a PostgreSQL with a HikariCP pool as the {@code DataSource} bean, one controller. */
    @SpringBootConfiguration
    @EnableAutoConfiguration
    @Import({JdbcTestApp.ReportController.class, JdbcTestApp.ScopedReports.class})
    static class JdbcTestApp {

        @Bean(destroyMethod = "close")
        EmbeddedPostgresSupport postgres() throws IOException {
            return EmbeddedPostgresSupport.start();
        }

        @Bean
        HikariDataSource dataSource(EmbeddedPostgresSupport postgres) {
            return postgres.dataSource();
        }

        @Bean
        JdbcTemplate jdbcTemplate(DataSource dataSource) {
            return new JdbcTemplate(dataSource);
        }

        /** The same query in a {@code @ThredoScoped} service method with a timeout of its own. */
        @org.springframework.stereotype.Service
        static class ScopedReports {
            private final JdbcTemplate jdbc;

            ScopedReports(JdbcTemplate jdbc) {
                this.jdbc = jdbc;
            }

            @ThredoScoped(timeout = "1s")
            void report() {
                jdbc.queryForObject("select pg_sleep(30)", String.class);
            }
        }

        @RestController
        static class ReportController {
            private final JdbcTemplate jdbc;
            private final ScopedReports scoped;

            ReportController(JdbcTemplate jdbc, ScopedReports scoped) {
                this.jdbc = jdbc;
                this.scoped = scoped;
            }

            @GetMapping("/scoped-report")
            String scopedReport() {
                scoped.report();
                return "done";
            }

            /** A report whose query takes {@code sleep} seconds in the database (30 by default). */
            @GetMapping("/report")
            String report(@org.springframework.web.bind.annotation.RequestParam(defaultValue = "30") int sleep) {
                jdbc.queryForObject("select pg_sleep(?)", String.class, sleep);
                return "done";
            }
        }
    }
}
