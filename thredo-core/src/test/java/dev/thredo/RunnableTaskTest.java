package dev.thredo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A {@code Runnable} task is run as such (thredo keeps it without an adapter): {@code spawn(Runnable)}
 * runs {@code run()} for a {@code null} result, also when the object is a {@code Callable} too, and
 * also under a task decorator (which sees a {@code Callable}).
 */
@Timeout(value = 20, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class RunnableTaskTest {

    /** Records which of its two faces was used. */
    static final class Both implements Runnable, Callable<String> {
        final List<String> calls = new CopyOnWriteArrayList<>();

        @Override
        public void run() {
            calls.add("run");
        }

        @Override
        public String call() {
            calls.add("call");
            return "called";
        }
    }

    @Test
    void spawnOfARunnableRunsIt() {
        try (Kernel k = Kernel.create()) {
            Both root = new Both();
            assertNull(k.spawn((Runnable) root).join());
            Both named = new Both();
            assertNull(k.spawn("both", (Runnable) named).join());
            assertEquals(List.of("run"), root.calls);
            assertEquals(List.of("run"), named.calls);
            Both callable = new Both();
            assertEquals("called", k.spawn((Callable<String>) callable).join());
            assertEquals(List.of("call"), callable.calls);
        }
    }

    @Test
    void childAndMemberSpawnsOfARunnableRunIt() throws Exception {
        Both child = new Both();
        Both member = new Both();
        Both daemon = new Both();
        Thredo.run(() -> {
            assertNull(Thredo.spawn((Runnable) child).join());
            try (ThredoGroup g = ThredoGroup.open()) {
                g.spawn((Runnable) member);
                g.spawnDaemon((Runnable) daemon);
                g.join();
            }
            return null;
        });
        assertEquals(List.of("run"), child.calls);
        assertEquals(List.of("run"), member.calls);
        // A daemon member may be cancelled before it starts: it ran run() at most, never call().
        assertEquals(List.of(), daemon.calls.stream().filter(c -> !c.equals("run")).toList());
    }

    @Test
    void aDecoratedRunnableIsRunThroughTheDecorator() {
        List<String> seen = new CopyOnWriteArrayList<>();
        try (Kernel k = Kernel.builder().taskDecorator(task -> () -> {
            seen.add("decorator");
            return task.call();
        }).build()) {
            Both b = new Both();
            assertNull(k.spawn((Runnable) b).join());
            assertEquals(List.of("decorator"), seen);
            assertEquals(List.of("run"), b.calls);
        }
    }
}
