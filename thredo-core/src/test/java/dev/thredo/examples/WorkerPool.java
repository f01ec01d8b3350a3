package dev.thredo.examples;

import dev.thredo.Queue;
import dev.thredo.ThreadCancelled;
import dev.thredo.Thredo;
import dev.thredo.ThredoGroup;
import dev.thredo.ThredoThread;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A pool of queue workers that lives exactly as long as a block (the README's example and
 * thredo's {@code examples/euro/ex6}). The group's {@link ThredoGroup.Wait#NONE} policy cancels the
 * workers when the block ends; they are blocked in {@code take()}, so the cancel reaches them at
 * once. The CPU-bound member never blocks, so the cancel cannot reach it: the block waits for it.
 */
public final class WorkerPool {
    private WorkerPool() {
    }

    /**
     * Every member (ended by now: the workers first, the spinner last), which worker processed each
     * item, and what the spinner computed.
     */
    public record Result(List<ThredoThread<?>> members, Map<Integer, String> processedBy, long spins) {
    }

    static void worker(String name, Queue<Integer> q, Map<Integer, String> processedBy) {
        try {
            while (true) {
                int item = q.take();
                System.out.println(name + " got " + item);
                processedBy.put(item, name);
                q.taskDone(); // lets q.join() in the main thread return once all items are done
            }
        } catch (ThreadCancelled e) {
            System.out.println(name + " cancelled");
            throw e;
        }
    }

    /**
     * CPU-bound work that never blocks, standing in for a long computation: it runs on after a
     * cancel (a real one would call {@link Thredo#checkCancellation()} now and then to be stoppable).
     */
    static long spin(Duration howLong) {
        long end = System.nanoTime() + howLong.toNanos();
        long spins = 0;
        while (System.nanoTime() < end) {
            spins++;
            // Let other virtual threads use this carrier; a loop that never yields would hog it.
            // Not a cancellation point: only thredo's blocking calls and checkCancellation() are.
            Thread.yield();
        }
        System.out.println("spin finished: " + spins + " spins");
        return spins;
    }

    public static Result run(int workers, int items, Duration betweenItems, Duration spinFor) throws Exception {
        return Thredo.run(() -> {
            Queue<Integer> q = new Queue<>();
            Map<Integer, String> processedBy = new ConcurrentHashMap<>();
            ThredoThread<Long> spinner;
            try (ThredoGroup pool = ThredoGroup.open(ThredoGroup.Wait.NONE)) {
                for (int n = 0; n < workers; n++) {
                    String name = "worker-" + n;
                    pool.spawn(name, () -> worker(name, q, processedBy));
                }
                spinner = pool.spawn("spin", () -> spin(spinFor));

                for (int n = 0; n < items; n++) {
                    q.put(n);
                    Thredo.sleep(betweenItems); // a producer with its own pace
                }
                q.join(); // every item has been taken *and* marked done
                System.out.println("All items done; leaving the block");
                // Wait.NONE: join() cancels every member now and waits for each to end; the workers
                // end at once, the spinner when its loop is over. (close() alone would do the same,
                // but join() also reports a member that failed.)
                pool.join();
                System.out.println("Block left, spinner " + spinner.outcome());
                return new Result(pool.threads(), Map.copyOf(processedBy), spinner.resultNow());
            }
        });
    }

    public static void main(String[] args) throws Exception {
        run(4, 10, Duration.ofSeconds(1), Duration.ofSeconds(15));
    }
}
