package dev.thredo.demo;

import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/**
 * A slow report computed by the database: one SQL query that takes as long as asked (PostgreSQL's
 * {@code pg_sleep}) and counts a generated series, through {@link JdbcTemplate} and the application's
 * connection pool. The request thread is adopted by the starter as thredo thread
 * {@code "GET /api/report"} and holds a pooled connection while the query runs.
 */
@RestController
@RequestMapping("/api")
class ReportController {

    static final int MAX_SECONDS = 300;

    /** One row: pg_sleep's (void) result, the row count, the server's version (e.g. "18.6"). */
    private static final String REPORT_SQL = """
            SELECT pg_sleep(?), count(*), current_setting('server_version')
            FROM generate_series(1, 1000)""";

    private final JdbcTemplate jdbc;

    ReportController(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * Runs a report query that takes {@code seconds} (0 to 300) in the database, then answers
     * {@code {"seconds": N, "rows": 1000, "database": "PostgreSQL 18.6"}}.
     */
    @GetMapping("/report")
    Map<String, Object> report(@RequestParam int seconds) {
        if (seconds < 0 || seconds > MAX_SECONDS) {
            throw new ResponseStatusException(HttpStatus.BAD_REQUEST,
                    "seconds must be between 0 and " + MAX_SECONDS + ", was " + seconds);
        }
        return jdbc.queryForObject(REPORT_SQL, (rs, row) -> {
            Map<String, Object> report = new LinkedHashMap<>();
            report.put("seconds", seconds);
            report.put("rows", rs.getLong(2));
            report.put("database", "PostgreSQL " + rs.getString(3));
            return report;
        }, seconds);
    }
}
