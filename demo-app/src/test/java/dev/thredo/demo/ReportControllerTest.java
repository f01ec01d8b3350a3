package dev.thredo.demo;

import static dev.thredo.testing.Elapsed.millisSince;
import static org.assertj.core.api.Assertions.assertThat;

import dev.thredo.Kernel;
import dev.thredo.ThreadInfo;
import dev.thredo.testing.KernelPolling;
import dev.thredo.testing.Polling;
import dev.thredo.testing.ProblemAssertions;
import dev.thredo.testing.TestHttp;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/** GET /api/report over real HTTP, against the embedded PostgreSQL of {@link EmbeddedDatabaseConfig}. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class ReportControllerTest {

    @LocalServerPort
    int port;

    @Autowired
    ObjectMapper json;

    @Autowired
    DataSource dataSource;

    @Autowired
    Kernel kernel;

    @Autowired
    EmbeddedPostgres postgres;

    @Test
    void reportWithZeroSecondsAnswersWithDataFromPostgres() throws Exception {
        HttpResponse<String> response = TestHttp.localhost(port).get("/api/report?seconds=0");

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode body = json.readTree(response.body());
        assertThat(body.get("seconds").asInt()).isEqualTo(0);
        assertThat(body.get("rows").asLong()).isEqualTo(1000);
        assertThat(body.get("database").asString()).matches("PostgreSQL \\d+\\.\\d+.*");
    }

    @Test
    void reportTakesAsLongAsTheQuerySleepsInTheDatabase() throws Exception {
        long start = System.nanoTime();
        HttpResponse<String> response = TestHttp.localhost(port).get("/api/report?seconds=1");
        long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(json.readTree(response.body()).get("seconds").asInt()).isEqualTo(1);
        assertThat(elapsedMillis).isGreaterThanOrEqualTo(1_000);
    }

    @Test
    void reportRejectsNegativeSeconds() throws Exception {
        HttpResponse<String> response = TestHttp.localhost(port).get("/api/report?seconds=-1");

        JsonNode problem = ProblemAssertions.assertProblem(response, 400);
        assertThat(problem.get("detail").asString()).contains("between 0 and 300");
    }

    @Test
    void reportRejectsNonNumericSecondsWithAProblemBody() throws Exception {
        HttpResponse<String> response = TestHttp.localhost(port).get("/api/report?seconds=abc");

        ProblemAssertions.assertProblem(response, 400);
    }

    @Test
    void poolIsHikariAndItsConnectionsComeBack() throws Exception {
        assertThat(dataSource).isInstanceOf(HikariDataSource.class);
        assertThat(TestHttp.localhost(port).get("/api/report?seconds=0").statusCode()).isEqualTo(200);

        HikariPoolMXBean pool = ((HikariDataSource) dataSource).getHikariPoolMXBean();
        assertThat(pool).isNotNull();
        assertThat(pool.getTotalConnections()).isPositive();
        Polling.until("every connection is back in the pool", () -> pool.getActiveConnections() == 0);
    }

    /**
     * The quick start's walk-through: a 30 s report cancelled as the console does it (by id, while the
     * listing shows it in its statement) answers 503 at once, and the pool keeps its connection.
     *
     * <p>The cancel is sent once the query runs in the database: a cancel that reaches a backend still
     * reading the command is ignored by PostgreSQL, and after 5 s the starter then aborts the
     * connection instead (tested in the starter's {@code StatementHandlerTest}), which would cost
     * the pool the connection this test counts.
     */
    @Test
    void cancellingAReportEndsItsQueryInTheDatabase() throws Exception {
        HikariPoolMXBean pool = ((HikariDataSource) dataSource).getHikariPoolMXBean();
        int total = pool.getTotalConnections();
        CompletableFuture<HttpResponse<String>> reply =
                TestHttp.localhost(port).getAsync("/api/report?seconds=30");
        ThreadInfo report = KernelPolling.awaitThread(kernel, t -> t.name().equals("GET /api/report")
                && "jdbc executeQuery".equals(t.blockedOn()));
        Polling.until("the report's query runs in the database", () -> activeSleeps() == 1);
        long t0 = System.nanoTime();
        assertThat(kernel.cancel(report.id())).isTrue();
        HttpResponse<String> response = reply.get(10, TimeUnit.SECONDS);
        long ms = millisSince(t0);

        assertThat(response.statusCode()).as(response.body()).isEqualTo(503);
        assertThat(json.readTree(response.body()).get("detail").asString()).isEqualTo("The request was cancelled.");
        assertThat(ms).as("answered long before the 30 s query would end").isLessThan(10_000);
        Polling.until("every connection is back in the pool", () -> pool.getActiveConnections() == 0);
        assertThat(pool.getTotalConnections()).as("no connection thrown away").isEqualTo(total);
    }

    /** Queries sleeping in {@code pg_sleep} now, seen over a connection of its own, outside the pool. */
    private int activeSleeps() {
        try (Connection c = postgres.getPostgresDatabase().getConnection();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("select count(*) from pg_stat_activity where state = 'active'"
                        + " and query like 'SELECT pg_sleep%' and pid <> pg_backend_pid()")) {
            rs.next();
            return rs.getInt(1);
        } catch (SQLException e) {
            throw new IllegalStateException("could not read pg_stat_activity", e);
        }
    }

    @Test
    void aConfiguredDatasourceUrlReplacesTheEmbeddedServer() {
        new ApplicationContextRunner()
                .withUserConfiguration(EmbeddedDatabaseConfig.class)
                .withPropertyValues("spring.datasource.url=jdbc:postgresql://127.0.0.1:1/elsewhere")
                .run(context -> assertThat(context).hasNotFailed()
                        .doesNotHaveBean(EmbeddedPostgres.class)
                        .doesNotHaveBean(DataSource.class));
    }
}
