package dev.thredo;

import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.StressOptions;

/**
 * Runs Lincheck (org.jetbrains.lincheck) on a test class whose {@code @Operation} methods call one
 * thredo primitive: its model checker explores the interleavings of random concurrent scenarios
 * (2–3 threads of a few operations each) and checks that every result is explained by some
 * sequential order of the same operations. The heavy run explores six times as many scenarios, three
 * times as many interleavings of each, and adds Lincheck's stress strategy (real threads).
 *
 * <p>Only non-blocking operations are checked: Lincheck's linearizability model for blocking calls
 * (dual data structures) exists for Kotlin suspending functions only. The blocking paths share the
 * state the checked operations read and write, and are covered by the race and chaos suites.
 */
final class Linearizability {
    private Linearizability() {
    }

    /** Checks {@code test}; throws Lincheck's {@code LincheckAssertionError} (an AssertionError) with the failing interleaving. */
    static void check(String name, Class<?> test) {
        long start = System.nanoTime();
        int scenarios = Stress.size(4, 24);
        int invocations = Stress.size(1_000, 3_000);
        boolean failed = true;
        try {
            new ModelCheckingOptions()
                    .iterations(scenarios)
                    .invocationsPerIteration(invocations)
                    .threads(2)
                    .actorsPerThread(3)
                    .actorsBefore(2)
                    .actorsAfter(1)
                    .check(test);
            new ModelCheckingOptions()
                    .iterations(scenarios / 3)
                    .invocationsPerIteration(invocations)
                    .threads(3)
                    .actorsPerThread(2)
                    .check(test);
            if (Stress.HEAVY) {
                new StressOptions().iterations(5).invocationsPerIteration(2_000).threads(3).actorsPerThread(3).check(test);
            }
            failed = false;
        } finally {
            Stress.report("lincheck " + name, "strategy=model-checking" + (Stress.HEAVY ? "+stress" : "")
                    + " scenarios=" + (scenarios + scenarios / 3) + (Stress.HEAVY ? "+5" : "")
                    + " maxInvocationsPerScenario=" + invocations, failed ? 1 : 0, start);
        }
    }
}
