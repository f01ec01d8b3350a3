package dev.thredo.spring.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import dev.thredo.Kernel;
import dev.thredo.ThreadInfo;
import dev.thredo.spring.KernelPolling;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
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
 * The starter end to end: a HikariCP {@code DataSource} bean on a real PostgreSQL, wrapped by the
 * auto-configuration, and a handler whose query would take 30 s. The request timeout and an HTTP
 * cancel end the query in the database and answer 503 within a second, on Boot's default platform
 * request threads and on virtual ones; the pool keeps every connection, and nothing is logged at WARN.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class JdbcRequestTest {
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    abstract static class Requests {
        @LocalServerPort
        int port;

        @Autowired
        Kernel kernel;

        @Autowired
        DataSource dataSource;

        private LogCapture log;

        @BeforeEach
        void captureLog() {
            log = LogCapture.attach();
        }

        @AfterEach
        void nothingWasLoggedAtWarnOrError() {
            log.detach();
            assertThat(log.warnings()).isEmpty();
        }

        @Test
        void theDataSourceBeanIsWrappedAndKeepsItsType() {
            assertThat(ThredoDataSource.isWrapped(dataSource)).isTrue();
            assertThat(dataSource).isInstanceOf(HikariDataSource.class);
        }

        @Test
        void theRequestTimeoutCancelsTheQueryAndAnswers503() throws Exception {
            int total = awaitFullPool();
            long t0 = System.nanoTime();
            HttpResponse<String> r = CLIENT.send(request("/report"), HttpResponse.BodyHandlers.ofString());
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertProblem(r, "The request exceeded its timeout of 1s.");
            assertThat(ms).as("503 after the 1 s deadline").isBetween(950L, 2_000L);
            assertPoolHealthy(total);
        }

        @Test
        void anHttpCancelCancelsTheQueryAndAnswers503() throws Exception {
            int total = awaitFullPool();
            CompletableFuture<HttpResponse<String>> reply = CLIENT.sendAsync(request("/report"),
                    HttpResponse.BodyHandlers.ofString());
            ThreadInfo handler = KernelPolling.awaitThread(kernel,
                    t -> t.name().equals("GET /report") && "jdbc executeQuery".equals(t.blockedOn()));
            long t0 = System.nanoTime();
            HttpResponse<String> cancel = CLIENT.send(HttpRequest.newBuilder(
                    URI.create("http://localhost:" + port + "/actuator/thredo/" + handler.id() + "/cancel"))
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(cancel.statusCode()).isEqualTo(202);
            HttpResponse<String> r = reply.get(10, TimeUnit.SECONDS);
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertProblem(r, "The request was cancelled.");
            assertThat(ms).as("503 after the cancel").isLessThan(1_000L);
            assertPoolHealthy(total);
        }

        private int awaitFullPool() {
            int size = ((HikariDataSource) dataSource).getMaximumPoolSize();
            KernelPolling.awaitUntil("the pool is full", () -> pool().getTotalConnections() == size);
            return size;
        }

        private void assertPoolHealthy(int total) throws Exception {
            KernelPolling.awaitNoThreads(kernel);
            KernelPolling.awaitUntil("every connection is back in the pool", () -> pool().getActiveConnections() == 0);
            assertThat(pool().getTotalConnections()).as("connections in the pool").isEqualTo(total);
            assertThat(CLIENT.send(request("/report?sleep=0"), HttpResponse.BodyHandlers.ofString()).body())
                    .isEqualTo("done");
        }

        private HikariPoolMXBean pool() {
            return ((HikariDataSource) dataSource).getHikariPoolMXBean();
        }

        private HttpRequest request(String path) {
            return HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                    .timeout(Duration.ofSeconds(20)).build();
        }
    }

    static void assertProblem(HttpResponse<String> r, String detail) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(503);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(
                ct -> assertThat(ct).startsWith("application/problem+json"));
        assertThat(r.body()).contains("\"detail\":\"" + detail + "\"").contains("\"instance\":\"/report\"");
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

    /** Auto-configuration, a PostgreSQL with a HikariCP pool as the {@code DataSource} bean, one controller. */
    @SpringBootConfiguration
    @EnableAutoConfiguration
    @Import(JdbcTestApp.ReportController.class)
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

        @RestController
        static class ReportController {
            private final JdbcTemplate jdbc;

            ReportController(JdbcTemplate jdbc) {
                this.jdbc = jdbc;
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
