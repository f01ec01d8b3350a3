package dev.thredo.testing;

import dev.thredo.ThreadInfo;
import dev.thredo.internal.KernelCore;
import dev.thredo.internal.LiveKernels;
import dev.thredo.internal.ThreadControl;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.commons.support.AnnotationSupport;
import org.opentest4j.AssertionFailedError;

/**
 * Fails a test, or a test class, that leaves behind a live thredo thread, an open thredo group, or a
 * new non-daemon JVM thread, and names each one.
 *
 * <p>Every test class of the project runs under this guard without naming it: the extension is
 * registered in {@code META-INF/services/org.junit.jupiter.api.extension.Extension} and each module
 * turns on JUnit's extension auto-detection in its {@code junit-platform.properties}. The other
 * modules get both from thredo-core's test-jar (only this package and the service file), a
 * {@code test}-scoped dependency; a new module needs that dependency and that properties file.
 *
 * <p>Baselines are JVM-wide, so the guard assumes that the tests of one JVM run one at a time (the
 * build does not turn on JUnit's parallel execution).
 *
 * <h2>What is compared</h2>
 * Before each test (and before each class, ahead of its {@code @BeforeAll} methods) the guard takes
 * a baseline; after the test (after the class's {@code @AfterAll} methods) it compares:
 * <ul>
 *   <li><b>thredo threads</b>: every thread in the registry of every kernel of the JVM (found through
 *       {@link LiveKernels}, so kernels from {@code Kernel.create()}, builders, {@code Thredo.run} and
 *       Spring beans alike), by identity. A thread alive now and not in the baseline is a leak, also
 *       in a kernel that was closed (a thread that ignored its cancellation past the close's grace
 *       period is still alive).</li>
 *   <li><b>groups</b>: per kernel, groups opened and not closed; more than in the baseline is a
 *       leak. Groups are counted, not listed (listing them would cost the product an insert per
 *       group), so the message gives the count and the ids of leaked threads' groups.</li>
 *   <li><b>JVM threads</b>: live non-daemon platform threads, by identity, other than the JVM's own
 *       {@code DestroyJavaVM} and JUnit's {@code junit-jupiter-timeout-watcher}. Virtual threads are
 *       never in this set (they are always daemon); the ones that matter are thredo threads,
 *       compared above.</li>
 * </ul>
 * A kernel that is not closed but has no live thread is not a leak: it holds nothing and is
 * collected.
 *
 * <h2>Grace, not sleeps</h2>
 * Threads legitimately take a moment to end after a test's last assertion (a cancelled thread still
 * unwinding, a server thread finishing its response). The guard therefore re-checks until nothing
 * is left or the grace period passes (5 s by default; the JUnit configuration parameter
 * {@value #GRACE_PARAMETER} sets it in milliseconds). A clean test costs one comparison; only a test
 * whose threads are still ending waits, and only as long as they take.
 *
 * <h2>Spring test contexts</h2>
 * Spring's test context cache keeps application contexts (their {@code Kernel} bean, Tomcat's
 * non-daemon {@code container-0} thread) alive after the test class that created them, by design,
 * until the JVM exits. Per test this needs nothing special: the context is created (or taken from
 * the cache) while the test instance is prepared, before the baseline. Per class, a class run by
 * Spring's {@code SpringExtension}, or one with such a {@code @Nested} class, may leave new non-daemon
 * JVM threads behind: these are taken to belong to its cached contexts and are not reported. Its
 * thredo threads and groups are still checked: a cached context's kernel must be idle between tests.
 *
 * <p>The guard never stops, cancels or joins anything: what it reports stays as it was found.
 */
public final class LeakGuard implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback {
    /** JUnit configuration parameter: how long, in milliseconds, leftovers may take to end. */
    public static final String GRACE_PARAMETER = "thredo.leakguard.grace-ms";

    private static final Duration DEFAULT_GRACE = Duration.ofSeconds(5);
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(LeakGuard.class);
    private static final String SPRING_EXTENSION = "org.springframework.test.context.junit.jupiter.SpringExtension";
    /**
     * Non-daemon threads of the JVM and of JUnit itself: the JVM's exit thread, and Jupiter's
     * {@code @Timeout} watcher, started lazily by the first test with a timeout and kept for the run.
     */
    private static final Set<String> INFRASTRUCTURE_THREADS = Set.of("DestroyJavaVM", "junit-jupiter-timeout-watcher");

    @Override
    public void beforeAll(ExtensionContext context) {
        store(context).put(Snapshot.class, Snapshot.take());
        if (isSpringTest(context.getRequiredTestClass())) {
            // This class and every class enclosing it (as @Nested) may leave a cached context behind.
            for (ExtensionContext c = context; c.getTestClass().isPresent(); c = c.getParent().orElseThrow()) {
                store(c).put(springKey(c), Boolean.TRUE);
            }
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        store(context).put(Snapshot.class, Snapshot.take());
    }

    @Override
    public void afterEach(ExtensionContext context) {
        check(context, "test " + context.getRequiredTestClass().getName() + " > " + context.getDisplayName(), true);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        boolean springContextsMayBeCached = store(context).remove(springKey(context)) != null;
        check(context, "test class " + context.getRequiredTestClass().getName() + " (outside its tests)",
                !springContextsMayBeCached);
    }

    /** A key of this context's own: a value under it is never seen through an enclosing class's store. */
    private static String springKey(ExtensionContext context) {
        return "spring:" + context.getUniqueId();
    }

    private static void check(ExtensionContext context, String who, boolean jvmThreads) {
        Snapshot before = store(context).remove(Snapshot.class, Snapshot.class);
        if (before == null) {
            return; // the before callback did not run (e.g. an earlier extension failed): nothing to compare
        }
        Duration grace = context.getConfigurationParameter(GRACE_PARAMETER)
                .map(ms -> Duration.ofMillis(Long.parseLong(ms.trim())))
                .orElse(DEFAULT_GRACE);
        List<String> leaks = awaitNoLeaks(before, jvmThreads, grace);
        if (!leaks.isEmpty()) {
            throw new AssertionFailedError("LeakGuard: " + who + " left behind (still there " + grace.toMillis()
                    + " ms later):\n  " + String.join("\n  ", leaks));
        }
    }

    /** Re-checks with a short, growing pause until nothing is left or {@code grace} has passed. */
    private static List<String> awaitNoLeaks(Snapshot before, boolean jvmThreads, Duration grace) {
        long limit = System.nanoTime() + grace.toNanos();
        long pause = TimeUnit.MICROSECONDS.toNanos(100);
        for (;;) {
            List<String> leaks = before.leaksSince(jvmThreads);
            if (leaks.isEmpty() || System.nanoTime() - limit >= 0) {
                return leaks;
            }
            LockSupport.parkNanos(pause);
            pause = Math.min(pause * 2, TimeUnit.MILLISECONDS.toNanos(20));
        }
    }

    /** Whether Spring's extension runs {@code testClass} (directly or through e.g. {@code @SpringBootTest}). */
    private static boolean isSpringTest(Class<?> testClass) {
        for (Class<?> c = testClass; c != null; c = c.getEnclosingClass()) { // @Nested classes inherit it
            for (ExtendWith extendWith : AnnotationSupport.findRepeatableAnnotations(c, ExtendWith.class)) {
                for (Class<?> extension : extendWith.value()) {
                    if (extension.getName().equals(SPRING_EXTENSION)) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    private static ExtensionContext.Store store(ExtensionContext context) {
        return context.getStore(NAMESPACE);
    }

    /** What was alive at one moment: thredo threads, open groups per kernel, non-daemon platform threads. */
    private record Snapshot(Set<ThreadControl> thredoThreads, Map<KernelCore, Long> openGroups, Set<Thread> jvmThreads) {

        static Snapshot take() {
            Set<ThreadControl> threads = Collections.newSetFromMap(new IdentityHashMap<>());
            Map<KernelCore, Long> groups = new IdentityHashMap<>();
            for (KernelCore kernel : LiveKernels.snapshot()) {
                threads.addAll(kernel.registry().all());
                groups.put(kernel, kernel.counters().liveGroups());
            }
            Set<Thread> jvm = Collections.newSetFromMap(new IdentityHashMap<>());
            jvm.addAll(nonDaemonPlatformThreads());
            return new Snapshot(threads, groups, jvm);
        }

        /** One line per thing alive now that was not at the snapshot. */
        List<String> leaksSince(boolean withJvmThreads) {
            List<String> leaks = new ArrayList<>();
            for (KernelCore kernel : LiveKernels.snapshot()) {
                List<ThreadInfo> leaked = new ArrayList<>();
                for (ThreadControl t : kernel.registry().all()) {
                    if (!thredoThreads.contains(t)) {
                        leaked.add(kernel.registry().info(t, false));
                    }
                }
                leaked.sort((a, b) -> Long.compare(a.id(), b.id()));
                for (ThreadInfo t : leaked) {
                    leaks.add("thredo thread #" + t.id() + " \"" + t.name() + "\" " + t.state()
                            + (t.blockedOn() == null ? "" : " blocked on " + t.blockedOn())
                            + (t.groupId() == 0 ? "" : " group #" + t.groupId() + " \"" + t.groupName() + "\"")
                            + (t.daemon() ? " (daemon)" : "") + " of " + describe(kernel));
                }
                long opened = kernel.counters().liveGroups() - openGroups.getOrDefault(kernel, 0L);
                if (opened > 0) {
                    leaks.add(opened + " thredo group(s) opened and not closed in " + describe(kernel)
                            + groupsOf(leaked));
                }
            }
            if (withJvmThreads) {
                for (Thread t : nonDaemonPlatformThreads()) {
                    if (!jvmThreads.contains(t)) {
                        leaks.add("non-daemon JVM thread \"" + t.getName() + "\" (id " + t.threadId() + ", "
                                + t.getState() + ")");
                    }
                }
            }
            return leaks;
        }

        private static String describe(KernelCore kernel) {
            return "kernel \"" + kernel.name() + "\"@" + Integer.toHexString(System.identityHashCode(kernel))
                    + (kernel.isClosed() ? " (closed)" : " (open)");
        }

        private static String groupsOf(List<ThreadInfo> leaked) {
            List<String> ids = leaked.stream().filter(t -> t.groupId() != 0)
                    .map(t -> "#" + t.groupId() + " \"" + t.groupName() + "\"").distinct().toList();
            return ids.isEmpty() ? "" : " (groups of the leaked threads: " + String.join(", ", ids) + ")";
        }

        private static List<Thread> nonDaemonPlatformThreads() {
            ThreadGroup root = Thread.currentThread().getThreadGroup();
            while (root.getParent() != null) {
                root = root.getParent();
            }
            // enumerate() lists platform threads without walking stacks, unlike Thread.getAllStackTraces().
            Thread[] all = new Thread[root.activeCount() + 16];
            int n;
            while ((n = root.enumerate(all, true)) == all.length) {
                all = new Thread[all.length * 2];
            }
            List<Thread> out = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                Thread t = all[i];
                if (t.isAlive() && !t.isDaemon() && !INFRASTRUCTURE_THREADS.contains(t.getName())) {
                    out.add(t);
                }
            }
            return out;
        }
    }
}
