package dev.thredo.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Figure (h), outside JMH: HTTP requests per second of demo-app's fan-out endpoint
 * ({@code GET /api/fares}, five providers asked at once in a thredo group), driven by {@code wrk} on
 * loopback. Each variant is the same boot jar started in its own JVM with different properties, on a
 * free loopback port; the variants run one after the other, alternating (A, B, C, then B, C, A, ...) so
 * that a drift of the machine's load hits all of them alike.
 *
 * <ul>
 * <li>{@code thredo}: the starter's defaults (every request runs as a thredo thread, the fan-out in a
 * {@code ThredoGroup});
 * <li>{@code plain}: {@code thredo.web.enabled=false}: the same search on plain virtual threads;
 * <li>{@code noDisconnectCheck}: as {@code thredo}, plus {@code thredo.web.cancel-on-disconnect=false}.
 * </ul>
 * All three run Tomcat's request threads as virtual threads ({@code spring.threads.virtual.enabled=true};
 * demo-app's own default is Tomcat's platform-thread pool), so that the only difference between
 * {@code thredo} and {@code plain} is thredo: with a platform pool on one side, the ratio would
 * mostly measure platform against virtual threads.
 * The providers are set to answer after 1 ms without jitter or failures, so a request does the real
 * fan-out (five spawns, a group join under a deadline) but does not sleep long. Needs {@code wrk} on the
 * {@code PATH} (Debian: {@code apt-get install wrk}); without it the figure reports why it was skipped.
 */
final class HttpFigure {

    /** wrk's settings and how many alternating rounds to run. */
    record Settings(int rounds, int warmupSeconds, int seconds, int connections, int wrkThreads) {
    }

    /** Requests per second of each round, by variant; empty with {@link #skipped} set when not run. */
    record Result(Map<String, List<Double>> perVariant, String skipped, int non2xx) {
        double mean(String variant) {
            return perVariant.get(variant).stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
        }

        String rounds(String variant) {
            List<String> s = new ArrayList<>();
            for (double d : perVariant.get(variant)) {
                s.add(String.format(Locale.ROOT, "%.0f", d));
            }
            return String.join(", ", s);
        }
    }

    static final String THREDO = "thredo";
    static final String PLAIN = "plain";
    static final String NO_DISCONNECT_CHECK = "noDisconnectCheck";

    private static final Map<String, List<String>> VARIANTS = new LinkedHashMap<>();

    static {
        VARIANTS.put(THREDO, List.of());
        VARIANTS.put(PLAIN, List.of("--thredo.web.enabled=false"));
        VARIANTS.put(NO_DISCONNECT_CHECK, List.of("--thredo.web.cancel-on-disconnect=false"));
    }

    static final String PATH = "/api/fares?from=ZRH&to=LIS";

    private static final Pattern REQUESTS_PER_SECOND = Pattern.compile("^Requests/sec:\\s+([0-9.]+)", Pattern.MULTILINE);
    private static final Pattern NON_2XX = Pattern.compile("Non-2xx or 3xx responses:\\s+(\\d+)");

    private HttpFigure() {
    }

    static Result run(Settings s, Path demoJar) throws IOException, InterruptedException {
        if (!onPath("wrk")) {
            String why = "`wrk` is not installed (Debian: `apt-get install wrk`)";
            System.out.println("# http: skipped: " + why);
            return new Result(Map.of(), why, 0);
        }
        if (demoJar == null) {
            String why = "demo-app's boot jar was not found (build it: `./mvnw -q -pl demo-app -am package -DskipTests`)";
            System.out.println("# http: skipped: " + why);
            return new Result(Map.of(), why, 0);
        }
        Map<String, List<Double>> results = new LinkedHashMap<>();
        VARIANTS.keySet().forEach(v -> results.put(v, new ArrayList<>()));
        int non2xx = 0;
        List<Map.Entry<String, List<String>>> order = new ArrayList<>(VARIANTS.entrySet());
        for (int round = 1; round <= s.rounds(); round++) {
            // Each round starts with the next variant: no variant is always the first after the JMH runs.
            List<Map.Entry<String, List<String>>> thisRound = new ArrayList<>(order);
            java.util.Collections.rotate(thisRound, -(round - 1));
            for (var variant : thisRound) {
                System.out.println("# http: round " + round + ", " + variant.getKey() + " " + variant.getValue());
                Outcome o = measure(s, demoJar, variant.getValue());
                System.out.printf(Locale.ROOT, "#   %.1f requests/s%s%n", o.requestsPerSecond(),
                        o.non2xx() > 0 ? " (" + o.non2xx() + " non-2xx answers)" : "");
                results.get(variant.getKey()).add(o.requestsPerSecond());
                non2xx += o.non2xx();
            }
        }
        return new Result(results, null, non2xx);
    }

    private record Outcome(double requestsPerSecond, int non2xx) {
    }

    private static Outcome measure(Settings s, Path demoJar, List<String> extra) throws IOException, InterruptedException {
        int port = freePort();
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-jar", demoJar.toString(), "--server.port=" + port, "--server.address=127.0.0.1",
                "--spring.main.banner-mode=off", "--logging.level.root=WARN", "--spring.threads.virtual.enabled=true"));
        for (String provider : List.of("aerolink", "skyhop", "budgetair", "jetset", "slowfly")) {
            String p = "--demo.fares.providers." + provider;
            cmd.addAll(List.of(p + ".latency=1ms", p + ".jitter=0ms", p + ".failure-rate=0"));
        }
        cmd.addAll(extra);
        Path log = Files.createTempFile("thredo-bench-demo-", ".log");
        Process app = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        Thread stopApp = new Thread(app::destroyForcibly); // the runner stopped by Ctrl-C must not leave the app behind
        Runtime.getRuntime().addShutdownHook(stopApp);
        try {
            awaitUp(app, port, log);
            String url = "http://127.0.0.1:" + port + PATH;
            wrk(s, s.warmupSeconds(), url); // JIT, pools, connections
            String out = wrk(s, s.seconds(), url);
            Matcher m = REQUESTS_PER_SECOND.matcher(out);
            if (!m.find()) {
                throw new IllegalStateException("no Requests/sec in wrk's output:\n" + out);
            }
            Matcher bad = NON_2XX.matcher(out);
            return new Outcome(Double.parseDouble(m.group(1)), bad.find() ? Integer.parseInt(bad.group(1)) : 0);
        } finally {
            app.destroy(); // SIGTERM: Boot's graceful shutdown
            if (!app.waitFor(30, TimeUnit.SECONDS)) {
                app.destroyForcibly().waitFor();
            }
            Files.deleteIfExists(log);
            Runtime.getRuntime().removeShutdownHook(stopApp);
        }
    }

    private static void awaitUp(Process app, int port, Path log) throws IOException, InterruptedException {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        HttpRequest health = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/health"))
                .timeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            if (!app.isAlive()) {
                throw new IllegalStateException("demo-app exited with " + app.exitValue() + ":\n" + Files.readString(log));
            }
            try {
                HttpResponse<String> r = client.send(health, HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200 && r.body().contains("\"UP\"")) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("demo-app not UP on port " + port + " after 120 s:\n" + Files.readString(log));
    }

    private static String wrk(Settings s, int seconds, String url) throws IOException, InterruptedException {
        Process wrk = new ProcessBuilder("wrk", "-t" + s.wrkThreads(), "-c" + s.connections(), "-d" + seconds + "s",
                "--latency", url).redirectErrorStream(true).start();
        String out;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(wrk.getInputStream(), StandardCharsets.UTF_8))) {
            out = String.join("\n", r.lines().toList());
        }
        if (!wrk.waitFor(seconds + 60L, TimeUnit.SECONDS) || wrk.exitValue() != 0) {
            wrk.destroyForcibly();
            throw new IllegalStateException("wrk failed:\n" + out);
        }
        return out;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static boolean onPath(String command) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        return Stream.of(path.split(java.io.File.pathSeparator))
                .anyMatch(dir -> Files.isExecutable(Path.of(dir, command)));
    }

    /** demo-app/target/demo-app-*.jar (the boot jar), from the repository root or from thredo-bench/. */
    static Path findDemoJar() throws IOException {
        for (Path dir : List.of(Path.of("demo-app/target"), Path.of("../demo-app/target"))) {
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (Stream<Path> files = Files.list(dir)) {
                var jar = files.filter(f -> f.getFileName().toString().matches("demo-app-.*\\.jar"))
                        .filter(f -> !f.getFileName().toString().endsWith("-plain.jar"))
                        .findFirst();
                if (jar.isPresent()) {
                    return jar.get().toAbsolutePath();
                }
            }
        }
        return null;
    }
}
