package dev.thredo;

import static org.junit.jupiter.api.Assertions.assertThrows;

import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The checker has teeth: on this JDK, with this Lincheck, a counter with a racy read-modify-write
 * is caught. Without this, a Lincheck that silently stopped instrumenting (a JDK it does not
 * support) would let the linearizability tests pass without checking anything.
 */
@Timeout(value = 300, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
public class LinearizabilityCheckerTest {
    private int value;

    @Operation
    public int incrementAndGet() {
        int v = value + 1; // not atomic on purpose
        value = v;
        return v;
    }

    @Operation
    public int get() {
        return value;
    }

    @Test
    void findsTheLostUpdate() {
        assertThrows(AssertionError.class, () -> new ModelCheckingOptions().iterations(10).invocationsPerIteration(1_000)
                .check(LinearizabilityCheckerTest.class));
    }
}
