package dev.thredo.examples;

import dev.thredo.ThreadFailed;
import dev.thredo.Thredo;
import dev.thredo.ThredoThread;

/**
 * Spawn a thread, join it for its result; a thread that fails makes {@code join()} throw
 * {@link ThreadFailed} whose cause is what the thread threw (thredo's {@code examples/euro/ex1}).
 */
public final class SpawnJoin {
    private SpawnJoin() {
    }

    /** What {@link #run} observed: the good thread's value and the bad thread's failure. */
    public record Result(int sum, Throwable failure) {
    }

    /** The work: parse two numbers and add them. {@code "3"} works; {@code "three"} throws. */
    static int add(String x, String y) {
        return Integer.parseInt(x) + Integer.parseInt(y);
    }

    public static Result run(String x, String y, String bad) throws Exception {
        return Thredo.run(() -> {
            ThredoThread<Integer> good = Thredo.spawn("good", () -> add(x, y));
            ThredoThread<Integer> failing = Thredo.spawn("failing", () -> add(x, bad));

            int sum = good.join(); // the thread's value
            System.out.println(x + " + " + y + " = " + sum);

            try {
                failing.join();
                throw new AssertionError("unreachable: add(" + x + ", " + bad + ") cannot succeed");
            } catch (ThreadFailed e) {
                // join() wraps what the thread threw, so a failure is never mistaken for the
                // joiner's own exception; getCause() is the original.
                System.out.println("Failed: " + e.getCause());
                return new Result(sum, e.getCause());
            }
        });
    }

    public static void main(String[] args) throws Exception {
        run("2", "3", "three");
    }
}
