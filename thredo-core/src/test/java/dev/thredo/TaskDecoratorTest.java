package dev.thredo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class TaskDecoratorTest {
    private static final ThreadLocal<String> CONTEXT = new ThreadLocal<>();

    @Test
    void decoratorsRunOnTheSpawnerAndWrapTheTaskInOrder() throws Exception {
        List<String> calls = new CopyOnWriteArrayList<>();
        TaskDecorator propagate = task -> {
            String captured = CONTEXT.get();
            calls.add("propagate on " + Thread.currentThread().getName());
            return () -> {
                CONTEXT.set(captured);
                try {
                    return task.call();
                } finally {
                    CONTEXT.remove();
                }
            };
        };
        TaskDecorator outer = task -> {
            calls.add("outer");
            return task;
        };
        try (Kernel kernel = Kernel.builder().taskDecorator(propagate).taskDecorator(outer).build()) {
            String seen = kernel.run(() -> {
                CONTEXT.set("ctx");
                try (ThredoGroup g = ThredoGroup.open()) {
                    ThredoThread<String> member = g.spawn(CONTEXT::get);
                    g.join();
                    return member.resultNow();
                }
            });
            assertEquals("ctx", seen);
            // main (spawned from the test thread) and the member (spawned from main)
            assertEquals(List.of("propagate on " + Thread.currentThread().getName(), "outer",
                    "propagate on main", "outer"), calls);
        }
    }

    @Test
    void adoptedThreadsAreNotDecorated() {
        List<String> calls = new CopyOnWriteArrayList<>();
        try (Kernel kernel = Kernel.builder().taskDecorator(task -> {
            calls.add("decorated");
            return task;
        }).build()) {
            try (Adoption a = kernel.adopt("adopted")) {
                assertEquals("adopted", a.thread().name());
            }
            assertTrue(calls.isEmpty(), calls::toString);
        }
    }
}
