package dev.thredo.examples;

import dev.thredo.Event;
import dev.thredo.Semaphore;
import dev.thredo.ThreadCancelled;
import dev.thredo.Thredo;
import dev.thredo.ThredoThread;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Cancel a thread while it <em>holds</em> a semaphore: its {@code finally} releases the permit as
 * the cancellation unwinds it, so the thread waiting for the permit proceeds
 * (thredo's {@code examples/euro/ex4}, where Python's {@code with sema:} does the releasing).
 */
public final class SemaphoreHolderCancel {
    private SemaphoreHolderCancel() {
    }

    /** Both workers (ended by now), what they did in order, and the permits left at the end. */
    public record Result(ThredoThread<Void> holder, ThredoThread<Void> waiter, List<String> log, int permitsLeft) {
    }

    static void worker(String name, Semaphore sema, Duration work, Event acquired, List<String> log) {
        sema.acquire();
        try {
            log.add(name + " acquired");
            System.out.println(name + " working");
            acquired.set();
            Thredo.sleep(work); // simulated work while holding the permit
            log.add(name + " done");
        } catch (ThreadCancelled e) {
            log.add(name + " cancelled");
            System.out.println(name + " cancelled");
            throw e;
        } finally {
            // Runs on the way out of a cancel too: release() never blocks, so it is safe here even
            // though the cancelled thread would get ThreadCancelled at any further blocking call.
            log.add(name + " releases");
            sema.release();
        }
    }

    public static Result run(Duration work, Duration cancelAfter) throws Exception {
        return Thredo.run(() -> {
            Semaphore sema = new Semaphore(1);
            List<String> log = new CopyOnWriteArrayList<>();
            Event firstHasIt = new Event();

            ThredoThread<Void> holder = Thredo.spawn("worker-1", () -> worker("worker-1", sema, work, firstHasIt, log));
            firstHasIt.await(); // make sure worker-1 is the one holding the permit
            ThredoThread<Void> waiter = Thredo.spawn("worker-2", () -> worker("worker-2", sema, work, new Event(), log));

            Thredo.sleep(cancelAfter);
            holder.cancel(); // worker-1 unwinds through its finally and hands the permit to worker-2
            waiter.join();   // worker-2 now gets to do its work
            System.out.println(log);
            return new Result(holder, waiter, List.copyOf(log), sema.availablePermits());
        });
    }

    public static void main(String[] args) throws Exception {
        run(Duration.ofSeconds(5), Duration.ofSeconds(1));
    }
}
