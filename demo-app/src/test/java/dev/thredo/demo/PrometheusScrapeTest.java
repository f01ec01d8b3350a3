package dev.thredo.demo;

import static dev.thredo.demo.RepoFiles.repoFile;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Debian's real Prometheus scrapes the running demo with the scrape job of
 * {@code deploy/prometheus/prometheus.yml} (the one docker-compose uses), pointed at the local port,
 * and the thredo series arrive, as do those that every query of the Grafana dashboard
 * ({@code deploy/grafana/dashboards/thredo.json}) names; the README's table of scraped names is
 * exactly the set of {@code thredo_*} series scraped.
 *
 * <p>{@code .ci/run} installs {@code prometheus}; without {@code /usr/bin/prometheus} this test fails
 * rather than skips, so a CI run that lost the install cannot pass silently.
 */
@SpringBootTest(classes = DemoApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class PrometheusScrapeTest {

    private static final Path PROMETHEUS = Path.of("/usr/bin/prometheus");
    private static final String JOB = "thredo-demo";
    /** The live-threads gauge; Micrometer's Prometheus naming may append its base unit ("threads"). */
    private static final String LIVE_THREADS = "{__name__=~\"thredo_threads_live(_threads)?\",job=\"" + JOB + "\"}";
    private static final Duration SCRAPE_BOUND = Duration.ofSeconds(30);
    private static final Pattern THREDO_SERIES = Pattern.compile("\\bthredo_[a-z0-9_]+");
    /** A scraped thredo series in a PromQL expression; not a recorded one ({@code instance:thredo_...:sum}). */
    private static final Pattern SCRAPED_SERIES = Pattern.compile("(?<![:\\w])thredo_[a-z0-9_]+(?![:\\w])");

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final JsonMapper json = JsonMapper.builder().build();

    @LocalServerPort
    int appPort;

    @TempDir
    Path tmp;

    private Process prometheus;
    private Path prometheusLog;
    private String prometheusUrl;

    @AfterEach
    void stopPrometheus() throws InterruptedException {
        if (prometheus != null) {
            prometheus.destroyForcibly();
            prometheus.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void prometheusScrapesTheThredoSeriesTheDashboardQueries() throws Exception {
        assertThat(Files.isExecutable(PROMETHEUS))
                .as("%s is missing: .ci/run installs Debian's prometheus package "
                        + "(apt-get install -y --no-install-recommends prometheus)", PROMETHEUS)
                .isTrue();
        startPrometheus(localConfig(repoFile("deploy/prometheus/prometheus.yml")));

        // The scrape job works: the live-threads gauge arrives with its state label.
        JsonNode live = pollQuery(LIVE_THREADS, result -> !result.isEmpty());
        Set<String> states = new LinkedHashSet<>();
        for (JsonNode sample : live) {
            states.add(sample.path("metric").path("state").asString());
            assertThat(sample.path("metric").path("instance").asString()).isEqualTo("localhost:" + appPort);
        }
        assertThat(states).contains("running", "blocked", "cancelling");

        // Every series the dashboard names is scraped, and every panel query evaluates to something.
        String dashboard = Files.readString(repoFile("deploy/grafana/dashboards/thredo.json"));
        List<String> exprs = new ArrayList<>();
        collectQueries(json.readTree(dashboard), exprs);
        assertThat(exprs).as("queries in thredo.json").isNotEmpty();
        Set<String> named = new LinkedHashSet<>(); // panel queries, the variable's query, descriptions
        Matcher m = THREDO_SERIES.matcher(dashboard);
        while (m.find()) {
            named.add(m.group());
        }
        assertThat(named).as("series named by the dashboard").isNotEmpty();
        for (String series : named) {
            pollQuery(series + "{job=\"" + JOB + "\"}", result -> !result.isEmpty());
        }
        for (String expr : exprs) {
            String concrete = expr.replace("$__rate_interval", "1m").replace("$instance", ".*");
            pollQuery(concrete, result -> !result.isEmpty());
        }

        // The README's table of scraped names is exactly the thredo series Prometheus scrapes.
        Set<String> listed = readmeSeries();
        assertThat(listed).as("series in the README's thredo-series table").isNotEmpty();
        for (String series : listed) {
            pollQuery(series + "{job=\"" + JOB + "\"}", result -> !result.isEmpty());
        }
        Set<String> scraped = new TreeSet<>();
        for (JsonNode sample : pollQuery("{__name__=~\"thredo_.+\",job=\"" + JOB + "\"}", r -> !r.isEmpty())) {
            scraped.add(sample.path("metric").path("__name__").asString());
        }
        assertThat(scraped).as("the thredo series scraped, against the README's table")
                .containsExactlyInAnyOrderElementsOf(listed);
    }

    /** The series names in the README's table between its {@code thredo-series} markers. */
    private static Set<String> readmeSeries() throws IOException {
        String readme = Files.readString(repoFile("README.md"));
        int begin = readme.indexOf("<!-- thredo-series:");
        int end = readme.indexOf("<!-- /thredo-series -->");
        assertThat(begin).as("the README's thredo-series marker").isNotNegative();
        assertThat(end).as("the README's /thredo-series marker").isGreaterThan(begin);
        Set<String> names = new TreeSet<>();
        Matcher m = Pattern.compile("`(thredo_[a-z0-9_]+)`").matcher(readme.substring(begin, end));
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void prometheusEvaluatesTheAlertRulesOnTheScrapedSeries() throws Exception {
        assertThat(Files.isExecutable(PROMETHEUS)).as("%s is missing", PROMETHEUS).isTrue();
        startPrometheus(localConfig(repoFile("deploy/prometheus/prometheus.yml")));

        // Every series an alert or recording rule reads is one the demo exposes (a renamed meter would
        // leave a rule silently empty, never firing).
        Map<String, Object> rules = new Yaml().load(Files.readString(repoFile("deploy/prometheus/rules.yml")));
        Set<String> read = new LinkedHashSet<>();
        for (Map<String, Object> group : yamlList(rules.get("groups"))) {
            for (Map<String, Object> rule : yamlList(group.get("rules"))) {
                Matcher m = SCRAPED_SERIES.matcher((String) rule.get("expr"));
                while (m.find()) {
                    read.add(m.group());
                }
            }
        }
        assertThat(read).as("scraped series the rules read")
                .contains("thredo_threads_stuck_threads", "thredo_cancel_latency_seconds_bucket",
                        "thredo_threads_live_threads");
        for (String series : read) {
            pollQuery(series + "{job=\"" + JOB + "\"}", result -> !result.isEmpty());
        }

        // Prometheus evaluated every rule without error, and the recording rule sums this instance.
        poll("/api/v1/rules", "groups", groups -> {
            List<JsonNode> evaluated = new ArrayList<>();
            groups.forEach(group -> group.path("rules").forEach(evaluated::add));
            return evaluated.size() == ruleCount(rules) && evaluated.stream().allMatch(rule ->
                    "ok".equals(rule.path("health").asString())
                            && !rule.path("lastEvaluation").asString().startsWith("0001-"));
        });
        JsonNode live = pollQuery("instance:thredo_threads_live:sum{job=\"" + JOB + "\"}", result -> !result.isEmpty());
        assertThat(live.get(0).path("metric").path("instance").asString()).isEqualTo("localhost:" + appPort);
    }

    private static int ruleCount(Map<String, Object> rules) {
        return yamlList(rules.get("groups")).stream().mapToInt(group -> yamlList(group.get("rules")).size()).sum();
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> yamlList(Object yaml) {
        return (List<Map<String, Object>>) yaml;
    }

    /**
     * The scrape job and rule files of the compose configuration, aimed at this test's demo, scraped
     * and evaluated every second.
     */
    @SuppressWarnings("unchecked")
    private Path localConfig(Path composeConfig) throws IOException {
        Map<String, Object> config = new Yaml().load(Files.readString(composeConfig));
        List<Map<String, Object>> jobs = (List<Map<String, Object>>) config.get("scrape_configs");
        Map<String, Object> job = jobs.stream()
                .filter(j -> JOB.equals(j.get("job_name")))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no job_name " + JOB + " in " + composeConfig));
        assertThat(job.get("metrics_path")).isEqualTo("/actuator/prometheus");

        Map<String, Object> local = new LinkedHashMap<>(job);
        local.put("scrape_interval", "1s");
        local.put("scrape_timeout", "1s");
        local.put("basic_auth", Map.of("username", "admin", "password", "thredo"));
        local.put("static_configs", List.of(Map.of("targets", List.of("localhost:" + appPort))));

        List<String> ruleFiles = (List<String>) config.get("rule_files");
        assertThat(ruleFiles).as("rule_files in " + composeConfig).isNotEmpty();

        Map<String, Object> out = new LinkedHashMap<>();
        out.put("global", Map.of("scrape_interval", "1s", "evaluation_interval", "1s"));
        out.put("rule_files", ruleFiles.stream().map(f -> composeConfig.resolveSibling(f).toString()).toList());
        out.put("scrape_configs", List.of(local));

        DumperOptions options = new DumperOptions();
        options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        Path file = tmp.resolve("prometheus.yml");
        Files.writeString(file, new Yaml(options).dump(out));
        return file;
    }

    private void startPrometheus(Path config) throws Exception {
        int port = freePort();
        prometheusUrl = "http://127.0.0.1:" + port;
        prometheusLog = tmp.resolve("prometheus.log");
        Path data = Files.createDirectories(tmp.resolve("data"));
        prometheus = new ProcessBuilder(PROMETHEUS.toString(),
                "--config.file=" + config,
                "--storage.tsdb.path=" + data,
                "--web.listen-address=127.0.0.1:" + port)
                .redirectErrorStream(true)
                .redirectOutput(prometheusLog.toFile())
                .start();
    }

    /** Runs an instant query until {@code accept} takes its result vector or the bound passes. */
    private JsonNode pollQuery(String query, Predicate<JsonNode> accept) throws Exception {
        return poll("/api/v1/query?query=" + URLEncoder.encode(query, StandardCharsets.UTF_8), "result", accept);
    }

    /**
     * Asks Prometheus's API for {@code pathAndQuery} until {@code accept} takes the answer's
     * {@code data.<field>} or the bound passes; the failure shows the last answer, Prometheus's view of
     * its targets and its log.
     */
    private JsonNode poll(String pathAndQuery, String field, Predicate<JsonNode> accept) throws Exception {
        long deadline = System.nanoTime() + SCRAPE_BOUND.toNanos();
        String last = "(no answer)";
        while (true) {
            if (!prometheus.isAlive()) {
                fail("prometheus exited with " + prometheus.exitValue() + ":\n" + log());
            }
            try {
                HttpResponse<String> response = get(pathAndQuery);
                last = response.statusCode() + " " + response.body();
                if (response.statusCode() == 200) {
                    JsonNode body = json.readTree(response.body());
                    JsonNode data = body.path("data").path(field);
                    if ("success".equals(body.path("status").asString()) && accept.test(data)) {
                        return data;
                    }
                } else if (response.statusCode() == 400 || response.statusCode() == 422) {
                    fail("Prometheus rejected " + pathAndQuery + ": " + last);
                }
            } catch (IOException notListeningYet) {
                last = notListeningYet.toString();
            }
            if (System.nanoTime() - deadline > 0) {
                fail("no accepted answer to " + pathAndQuery + " within " + SCRAPE_BOUND + "; last answer: " + last
                        + "\ntargets: " + targets() + "\nprometheus log:\n" + log());
            }
            TimeUnit.MILLISECONDS.sleep(200); // poll interval, bounded by the deadline above
        }
    }

    private HttpResponse<String> get(String pathAndQuery) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(prometheusUrl + pathAndQuery))
                .timeout(Duration.ofSeconds(5))
                .GET()
                .build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private String targets() {
        try {
            return get("/api/v1/targets").body();
        } catch (Exception e) {
            return e.toString();
        }
    }

    private String log() {
        try {
            String text = Files.readString(prometheusLog);
            return text.length() > 8000 ? text.substring(text.length() - 8000) : text;
        } catch (IOException e) {
            return e.toString();
        }
    }

    /** Every "expr" (panel targets) and template variable query in the dashboard. */
    private static void collectQueries(JsonNode node, List<String> out) {
        if (node.isObject()) {
            for (Map.Entry<String, JsonNode> field : node.properties()) {
                if (field.getValue().isString() && field.getKey().equals("expr")) {
                    out.add(field.getValue().asString());
                } else {
                    collectQueries(field.getValue(), out);
                }
            }
        } else if (node.isArray()) {
            for (JsonNode element : node) {
                collectQueries(element, out);
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        }
    }
}
