package dev.thredo.examples;

import dev.thredo.ThreadCancelled;
import dev.thredo.Thredo;
import dev.thredo.ThredoThread;
import java.time.Duration;

/**
 * Cancel a thread that is sleeping for 100 seconds: the cancel ends the sleep at once
 * (thredo's {@code examples/ex3}).
 */
public final class CancelSleeper {
    private CancelSleeper() {
    }

    /** The sleeper (ended by now) and how long the cancel took to take effect. */
    public record Result(ThredoThread<Void> sleeper, Duration cancelTook) {
    }

    static void sleeper(Duration nap) {
        System.out.println("Going to sleep for " + nap.toSeconds() + " s");
        try {
            Thredo.sleep(nap);
            System.out.println("Woke up"); // never printed when cancelled
        } catch (ThreadCancelled e) {
            // A place to clean up. Rethrow: swallowing would not undo the cancel (every later
            // blocking call throws again), it would only hide it from whoever joins this thread.
            System.out.println("Cancelled while sleeping");
            throw e;
        }
    }

    public static Result run(Duration nap, Duration cancelAfter) throws Exception {
        return Thredo.run(() -> {
            ThredoThread<Void> t = Thredo.spawn("sleeper", () -> sleeper(nap));
            Thredo.sleep(cancelAfter); // the main thread's own "work" before it changes its mind
            long start = System.nanoTime();
            t.cancel(); // requests the cancel and waits until the sleeper has ended
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            System.out.println("sleeper " + t.outcome() + " after a cancel that took " + took.toMillis() + " ms");
            return new Result(t, took);
        });
    }

    public static void main(String[] args) throws Exception {
        run(Duration.ofSeconds(100), Duration.ofSeconds(2));
    }
}
