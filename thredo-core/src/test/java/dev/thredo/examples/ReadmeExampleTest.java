package dev.thredo.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.thredo.Outcome;
import dev.thredo.Queue;
import dev.thredo.ThreadCancelled;
import dev.thredo.Thredo;
import dev.thredo.ThredoGroup;
import dev.thredo.ThredoThread;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The README's example, with a shorter pause between items and the output collected instead of printed. */
@Timeout(value = 20, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ReadmeExampleTest {
    private final List<String> out = Collections.synchronizedList(new ArrayList<>());

    void worker(Queue<Integer> q) {
        try {
            while (true) {
                int item = q.take();
                out.add("Got: " + item);
                q.taskDone();
            }
        } catch (ThreadCancelled e) {
            out.add("Worker cancelled");
        }
    }

    @Test
    void workerPoolLivesExactlyAsLongAsTheBlock() throws Exception {
        List<ThredoThread<?>> members = Thredo.run(() -> {
            Queue<Integer> q = new Queue<>();
            try (ThredoGroup workers = ThredoGroup.open(ThredoGroup.Wait.NONE)) {
                for (int n = 0; n < 4; n++) {
                    workers.spawn(() -> worker(q));
                }
                for (int n = 0; n < 10; n++) {
                    q.put(n);
                    Thredo.sleep(Duration.ofMillis(20));
                }
                q.join();
                workers.join();
                return workers.threads();
            }
        });
        List<String> got = out.stream().filter(s -> s.startsWith("Got: ")).toList();
        assertEquals(10, got.size(), out.toString());
        assertEquals(4, out.stream().filter("Worker cancelled"::equals).count());
        assertTrue(members.stream().allMatch(t -> t.outcome() == Outcome.SUCCEEDED && t.isCancelled()));
    }
}
