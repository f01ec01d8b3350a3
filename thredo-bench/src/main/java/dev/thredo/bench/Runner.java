package dev.thredo.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * Runs every figure of thredo-bench and prints the table {@code | figure | thredo | baseline | ratio
 * | goal | met? |}. Each thredo figure and its JDK baseline are measured in the same run (same JMH
 * class, same fork settings), so the ratio does not depend on the machine's absolute speed.
 *
 * <pre>
 * java -jar thredo-bench/target/benchmarks.jar [--full] [--write [file]] [--only regex] [--demo-jar file] [--quiet]
 * </pre>
 * {@code --full}: the long profile (3 forks, 5 x 2 s warmup, 5 x 2 s measurement; 1 000 000 threads
 * for the memory figure). Default: the short profile (1 fork, 3 x 1 s warmup, 5 x 1 s measurement;
 * 100 000 threads), under 10 minutes on 2 cores. {@code --write}: also write the table to
 * {@code thredo-bench/results/latest.md} (or the given file). {@code --only}: run only the JMH
 * benchmarks matching the regex (and skip the memory figure unless it matches "memory", the HTTP
 * figure unless it matches "http"). The HTTP figure ({@link HttpFigure}) needs {@code wrk} and
 * demo-app's boot jar ({@code demo-app/target/demo-app-*.jar}, or {@code --demo-jar file}).
 */
public final class Runner {
    private Runner() {
    }

    private record Profile(String name, int forks, int warmups, int warmupSeconds, int iterations,
            int iterationSeconds, int singleShotWarmups, int singleShots, int memoryThreads, HttpFigure.Settings http) {
    }

    // The HTTP warm-up is long on purpose: C2 keeps compiling on one of the two cores for several
    // seconds into the load, and a round measured meanwhile is not the steady state (results/changes.md).
    private static final Profile SHORT = new Profile("short", 1, 3, 1, 5, 1, 5, 10, 100_000,
            new HttpFigure.Settings(2, 15, 10, 64, 2));
    private static final Profile FULL = new Profile("full", 3, 5, 2, 5, 2, 10, 20, 1_000_000,
            new HttpFigure.Settings(3, 30, 20, 64, 2));

    /** Scores by "Class.method" plus "[param=value,...]". */
    private final Map<String, Result<?>> scores = new TreeMap<>();

    public static void main(String[] args) throws Exception {
        Profile profile = SHORT;
        Path write = null;
        String only = null;
        Path demoJar = null;
        boolean quiet = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--full" -> profile = FULL;
                case "--short" -> profile = SHORT;
                case "--quiet" -> quiet = true;
                case "--write" -> write = i + 1 < args.length && !args[i + 1].startsWith("--")
                        ? Path.of(args[++i]) : defaultResultsFile();
                case "--only" -> only = args[++i];
                case "--demo-jar" -> demoJar = Path.of(args[++i]);
                default -> {
                    System.err.println("usage: java -jar benchmarks.jar [--full] [--write [file]] [--only regex]"
                            + " [--demo-jar file] [--quiet]");
                    System.exit(2);
                }
            }
        }
        new Runner().run(profile, write, only, demoJar != null ? demoJar : HttpFigure.findDemoJar(), quiet);
    }

    /** thredo-bench/results/latest.md from the repository root, or results/latest.md inside thredo-bench. */
    private static Path defaultResultsFile() {
        Path here = Path.of("").toAbsolutePath();
        if (Files.isDirectory(here.resolve("thredo-bench"))) {
            return here.resolve("thredo-bench/results/latest.md");
        }
        return here.resolve("results/latest.md");
    }

    private void run(Profile p, Path write, String only, Path demoJar, boolean quiet) throws Exception {
        Instant started = Instant.now();
        String load = loadAverage();
        VerboseMode verbose = quiet ? VerboseMode.SILENT : VerboseMode.NORMAL;
        // Throughput-style figures: time per batch, many batches per iteration.
        List<String> timed = List.of(SpawnJoinBench.class.getSimpleName(), QueueBench.class.getSimpleName(),
                LockBench.class.getSimpleName(), TimeoutBench.class.getSimpleName());
        for (String cls : timed) {
            jmh(p, cls, only, verbose, b -> b
                    .warmupIterations(p.warmups()).warmupTime(TimeValue.seconds(p.warmupSeconds()))
                    .measurementIterations(p.iterations()).measurementTime(TimeValue.seconds(p.iterationSeconds())));
        }
        // One cancellation of 10 000 threads per invocation, with a fresh population each time.
        jmh(p, CancelBench.class.getSimpleName(), only, verbose, b -> b
                .warmupIterations(p.singleShotWarmups()).measurementIterations(p.singleShots()));
        // 100 000 live threads, created once per trial; a JSON dump of them takes long per call.
        jmh(p, ListingBench.class.getSimpleName(), only, verbose, b -> b
                .warmupIterations(p.warmups()).warmupTime(TimeValue.seconds(p.warmupSeconds()))
                .measurementIterations(p.iterations()).measurementTime(TimeValue.seconds(p.iterationSeconds())));

        Double memThredo = null;
        Double memVirtual = null;
        if (only == null || "memory".matches(only)) {
            memVirtual = memory("virtual", p.memoryThreads());
            memThredo = memory("thredo", p.memoryThreads());
        }
        HttpFigure.Result http = null;
        if (only == null || "http".matches(only)) {
            http = HttpFigure.run(p.http(), demoJar);
        }

        long seconds = started.until(Instant.now(), ChronoUnit.SECONDS);
        String table = table(p, memThredo, memVirtual, http);
        String header = header(p, started, load + " (at end: " + loadAverage() + ")", seconds);
        System.out.println();
        System.out.println(header);
        System.out.println(table);
        if (write != null) {
            Files.createDirectories(write.toAbsolutePath().getParent());
            Files.writeString(write, "# thredo-bench: latest results\n\n" + header + "\n" + table, StandardCharsets.UTF_8);
            System.out.println("written to " + write);
        }
    }

    private interface Tweak {
        ChainedOptionsBuilder apply(ChainedOptionsBuilder b);
    }

    private void jmh(Profile p, String cls, String only, VerboseMode verbose, Tweak tweak) throws RunnerException {
        // "only" narrows by a lookahead over the whole "dev.thredo.bench.Class.method" name.
        String include = (only == null ? "^" : "^(?=.*(" + only + "))") + "dev\\.thredo\\.bench\\." + cls + "\\.";
        if (only != null && !anyMethodMatches(cls, only)) {
            return;
        }
        ChainedOptionsBuilder b = new OptionsBuilder()
                .include(include)
                .forks(p.forks())
                .jvmArgsAppend("-Xss1m")
                .shouldFailOnError(true)
                .verbosity(verbose);
        Collection<RunResult> results = new org.openjdk.jmh.runner.Runner(tweak.apply(b).build()).run();
        for (RunResult r : results) {
            var params = r.getParams();
            StringBuilder key = new StringBuilder(params.getBenchmark().replace("dev.thredo.bench.", ""));
            List<String> ps = new ArrayList<>();
            for (String k : params.getParamsKeys()) {
                ps.add(k + "=" + params.getParam(k));
            }
            if (!ps.isEmpty()) {
                key.append(ps);
            }
            scores.put(key.toString().replace(" ", ""), r.getPrimaryResult());
        }
    }

    private static boolean anyMethodMatches(String cls, String only) {
        java.util.regex.Pattern p = java.util.regex.Pattern.compile(only);
        try {
            for (java.lang.reflect.Method m : Class.forName("dev.thredo.bench." + cls).getMethods()) {
                if (m.isAnnotationPresent(org.openjdk.jmh.annotations.Benchmark.class)
                        && p.matcher("dev.thredo.bench." + cls + "." + m.getName()).find()) {
                    return true;
                }
            }
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(e);
        }
        return false;
    }

    // ---- the memory figure, one JVM per kind ----

    private static Double memory(String kind, int n) throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String heap = n > 200_000 ? "-Xmx8g" : "-Xmx2g";
        List<String> cmd = List.of(java, heap, "-cp", System.getProperty("java.class.path"),
                MemoryFootprint.class.getName(), kind, Integer.toString(n));
        System.out.println("# memory: " + kind + ", " + n + " threads");
        Process proc = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        Double result = null;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(proc.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                System.out.println("#   " + line);
                if (line.startsWith("bytesPerThread=")) {
                    result = Double.parseDouble(line.substring("bytesPerThread=".length()));
                }
            }
        }
        if (!proc.waitFor(10, TimeUnit.MINUTES)) {
            proc.destroyForcibly();
        }
        return result;
    }

    // ---- the table ----

    private Result<?> score(String key) {
        return scores.get(key);
    }

    private String table(Profile p, Double memThredo, Double memVirtual, HttpFigure.Result http) {
        StringBuilder sb = new StringBuilder();
        sb.append("| figure | thredo | baseline | ratio | goal | met? |\n");
        sb.append("|---|---|---|---|---|---|\n");

        // (a) time ratio, lower is better
        timeRow(sb, "spawn + join, batches of 10 000 trivial threads (time per batch)",
                score("SpawnJoinBench.thredo"), score("SpawnJoinBench.virtualThreads"),
                "`Thread.ofVirtual().start` + `join`", 1.3);
        // (b)
        timeRow(sb, "cancel → termination of 10 000 threads blocked in `Queue.take` (time)",
                score("CancelBench.thredo[blockedIn=take]"), score("CancelBench.virtualThreads[blockedIn=take]"),
                "`interrupt` + `join`, virtual threads in `LinkedBlockingQueue.take`", 1.5);
        timeRow(sb, "cancel → termination of 10 000 threads blocked in `Thredo.sleep` (time)",
                score("CancelBench.thredo[blockedIn=sleep]"), score("CancelBench.virtualThreads[blockedIn=sleep]"),
                "`interrupt` + `join`, virtual threads in `Thread.sleep`", 1.5);
        // (c) throughput ratio against the better JDK queue
        for (String pairs : List.of("1", "4")) {
            for (String cap : List.of("16", "1024")) {
                String params = "[capacity=" + cap + ",pairs=" + pairs + "]";
                Result<?> t = score("QueueBench.thredoQueue" + params);
                Result<?> abq = score("QueueBench.arrayBlockingQueue" + params);
                Result<?> lbq = score("QueueBench.linkedBlockingQueue" + params);
                String figure = "`Queue` throughput " + pairs + "→" + pairs + ", capacity " + cap;
                if (t == null || abq == null || lbq == null) {
                    missing(sb, figure, "better of `ArrayBlockingQueue` / `LinkedBlockingQueue`", "≥ 1.0×");
                    continue;
                }
                boolean abqBetter = abq.getScore() <= lbq.getScore();
                Result<?> best = abqBetter ? abq : lbq;
                throughputRow(sb, figure, t, best, (abqBetter ? "`ArrayBlockingQueue`" : "`LinkedBlockingQueue`")
                        + " (better of the two)", QueueBench.ITEMS, 1.0);
            }
        }
        // (d) policy against policy: non-fair against the JDK's default lock, fair against the fair one
        for (String threads : List.of("2", "8")) {
            String params = "[threads=" + threads + "]";
            for (String lock : List.of("Lock", "ReentrantLock")) {
                throughputRow(sb, "`" + lock + "` (non-fair, the default), " + threads + " contending threads (lock/unlock per s)",
                        score("LockBench.thredo" + lock + params), score("LockBench.jdkReentrantLock" + params),
                        "`j.u.c.locks.ReentrantLock()` (non-fair default)", LockBench.ACQUISITIONS, 0.8);
                throughputRow(sb, "`" + lock + "(true)` (fair), " + threads + " contending threads (lock/unlock per s)",
                        score("LockBench.thredoFair" + lock + params), score("LockBench.jdkFairReentrantLock" + params),
                        "`j.u.c.locks.ReentrantLock(true)` (fair)", LockBench.ACQUISITIONS, 1.0);
            }
            throughputRow(sb, "`Semaphore(1)` (non-fair), " + threads + " contending threads (acquire/release per s)",
                    score("LockBench.thredoSemaphore" + params), score("LockBench.jdkSemaphore" + params),
                    "`j.u.c.Semaphore(1)` (non-fair default)", LockBench.ACQUISITIONS, 0.8);
        }
        // (e) added ns
        Result<?> tt = score("TimeoutBench.thredo");
        Result<?> tb = score("TimeoutBench.bare");
        if (tt == null || tb == null) {
            missing(sb, "`timeoutAfter` around a non-blocking body", "the bare call", "< 150 ns added");
        } else {
            double added = tt.getScore() - tb.getScore();
            row(sb, "`timeoutAfter` around a non-blocking body (ns per call)", fmt(tt, "ns"), fmt(tb, "ns") + ", the bare call",
                    String.format(Locale.ROOT, "+%.1f ns", added), "< 150 ns added", added < 150);
        }
        // (f) report both; goal on ours only
        Result<?> lt = score("ListingBench.thredo");
        Result<?> lj = score("ListingBench.jdkJsonThreadDump");
        if (lt == null || lj == null) {
            missing(sb, "list 100 threads by name out of 100 000 live", "JDK JSON thread dump", "ours < 5 ms");
        } else {
            row(sb, "list 100 threads by name filter out of 100 000 live blocked (`kernel.threads`)", fmt(lt, "ms"),
                    fmt(lj, "ms") + ", `HotSpotDiagnosticMXBean.dumpThreads` JSON, same JVM",
                    String.format(Locale.ROOT, "%.4f×", lt.getScore() / lj.getScore()), "ours < 5 ms (report both)",
                    lt.getScore() < 5.0);
        }
        // (g)
        String memFigure = "heap per live blocked thread, " + String.format(Locale.ROOT, "%,d", p.memoryThreads()) + " threads";
        if (memThredo == null || memVirtual == null) {
            missing(sb, memFigure, "virtual threads in `Thread.sleep`", "≤ 1.3×");
        } else {
            double ratio = memThredo / memVirtual;
            row(sb, memFigure + " (`Thredo.sleep`)", String.format(Locale.ROOT, "%.0f B", memThredo),
                    String.format(Locale.ROOT, "%.0f B, virtual threads in `Thread.sleep`", memVirtual),
                    String.format(Locale.ROOT, "%.2f×", ratio), "≤ 1.3×", ratio <= 1.3);
        }
        // (h) requests/s, higher is better; the second row is the cost of the disconnect check
        String httpFigure = "HTTP requests/s of the fan-out endpoint `GET " + HttpFigure.PATH + "` (demo-app, Tomcat on"
                + " virtual threads, `wrk -t" + p.http().wrkThreads() + " -c" + p.http().connections() + " -d"
                + p.http().seconds() + "s`, loopback)";
        String disconnectFigure = "HTTP requests/s of the same endpoint, `thredo.web.cancel-on-disconnect` on (default) vs off";
        if (http == null || http.skipped() != null) {
            String why = http == null ? "not run" : "not measured: " + http.skipped();
            sb.append("| ").append(httpFigure).append(" | ").append(why).append(" | the app with `thredo.web.enabled=false`, "
                    + "plain virtual threads | – | ≥ 0.9× | – |\n");
            sb.append("| ").append(disconnectFigure).append(" | ").append(why)
                    .append(" | `thredo.web.cancel-on-disconnect=false` | – | ≥ 0.95× (no measurable cost) | – |\n");
        } else {
            String bad = http.non2xx() > 0 ? " (" + http.non2xx() + " non-2xx answers in all)" : "";
            httpRow(sb, httpFigure, http, HttpFigure.THREDO, HttpFigure.PLAIN,
                    "the same app with `thredo.web.enabled=false`: plain virtual threads" + bad, 0.9);
            httpRow(sb, disconnectFigure, http, HttpFigure.THREDO, HttpFigure.NO_DISCONNECT_CHECK,
                    "the same app with `thredo.web.cancel-on-disconnect=false`", 0.95);
        }
        return sb.toString();
    }

    private static void httpRow(StringBuilder sb, String figure, HttpFigure.Result r, String ours, String base,
            String baseline, double goal) {
        double ratio = r.mean(ours) / r.mean(base);
        row(sb, figure, String.format(Locale.ROOT, "%.0f /s (rounds: %s)", r.mean(ours), r.rounds(ours)),
                String.format(Locale.ROOT, "%.0f /s (rounds: %s), %s", r.mean(base), r.rounds(base), baseline),
                String.format(Locale.ROOT, "%.2f×", ratio), "≥ " + goal + "× the requests/s", ratio >= goal);
    }

    private static void timeRow(StringBuilder sb, String figure, Result<?> t, Result<?> b, String baseline, double goal) {
        if (t == null || b == null) {
            missing(sb, figure, baseline, "≤ " + goal + "×");
            return;
        }
        double ratio = t.getScore() / b.getScore();
        row(sb, figure, fmt(t, t.getScoreUnit()), fmt(b, b.getScoreUnit()) + ", " + baseline,
                String.format(Locale.ROOT, "%.2f×", ratio), "≤ " + goal + "× the time", ratio <= goal);
    }

    /** Scores are times per operation of {@code perOp} units of work; shown as millions per second. */
    private static void throughputRow(StringBuilder sb, String figure, Result<?> t, Result<?> b, String baseline,
            int perOp, double goal) {
        if (t == null || b == null) {
            missing(sb, figure, baseline, "≥ " + goal + "×");
            return;
        }
        double ratio = b.getScore() / t.getScore();
        row(sb, figure, mops(t, perOp), mops(b, perOp) + ", " + baseline,
                String.format(Locale.ROOT, "%.2f×", ratio), "≥ " + goal + "× the throughput", ratio >= goal);
    }

    private static String mops(Result<?> r, int perOp) {
        // score is ms per op
        double perSecond = perOp / (r.getScore() / 1000.0);
        double err = r.getScoreError();
        if (Double.isNaN(err) || err >= r.getScore()) {
            return String.format(Locale.ROOT, "%.2f M/s%s", perSecond / 1e6, Double.isNaN(err) ? "" : " (very noisy)");
        }
        // the interval of the time, turned into an interval of the rate: report its half-width
        double lo = perOp / ((r.getScore() + err) / 1000.0);
        double hi = perOp / ((r.getScore() - err) / 1000.0);
        return String.format(Locale.ROOT, "%.2f ± %.2g M/s", perSecond / 1e6, (hi - lo) / 2 / 1e6);
    }

    private static String fmt(Result<?> r, String unit) {
        String u = unit.replace("/op", "");
        double err = r.getScoreError();
        if (Double.isNaN(err)) {
            return String.format(Locale.ROOT, "%.3g %s", r.getScore(), u);
        }
        return String.format(Locale.ROOT, "%.3g ± %.2g %s", r.getScore(), err, u);
    }

    private static void row(StringBuilder sb, String figure, String thredo, String baseline, String ratio, String goal,
            boolean met) {
        sb.append("| ").append(figure).append(" | ").append(thredo).append(" | ").append(baseline).append(" | ")
                .append(ratio).append(" | ").append(goal).append(" | ").append(met ? "yes" : "**no**").append(" |\n");
    }

    private static void missing(StringBuilder sb, String figure, String baseline, String goal) {
        sb.append("| ").append(figure).append(" | not run | ").append(baseline).append(" | – | ").append(goal)
                .append(" | – |\n");
    }

    private static String header(Profile p, Instant started, String load, long seconds) {
        Runtime rt = Runtime.getRuntime();
        return String.format(Locale.ROOT,
                "- date: %s%n- JDK: %s %s (%s), code compiled for release 21%n- machine: %d cores (%s %s), load average (1/5/15 min) at start %s%n"
                        + "- profile: %s (JMH %d fork(s), %d×%d s warmup, %d×%d s measurement; cancel figure %d+%d single shots;"
                        + " memory with %,d threads; HTTP %d alternating rounds of %d s `wrk` after %d s warm-up), took %d s%n",
                started.truncatedTo(ChronoUnit.SECONDS), System.getProperty("java.vm.vendor"),
                System.getProperty("java.runtime.version"), System.getProperty("java.vm.name"), rt.availableProcessors(),
                System.getProperty("os.name"), System.getProperty("os.arch"), load, p.name(), p.forks(), p.warmups(),
                p.warmupSeconds(), p.iterations(), p.iterationSeconds(), p.singleShotWarmups(), p.singleShots(),
                p.memoryThreads(), p.http().rounds(), p.http().seconds(), p.http().warmupSeconds(), seconds);
    }

    private static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " / " + f[1] + " / " + f[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }
}
