package dev.thredo;

import org.jetbrains.lincheck.datastructures.Operation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link BoundedSemaphore} (2 permits) is linearizable: tryAcquire, release (refused above 2), availablePermits. */
@Timeout(value = 900, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
public class SemaphoreLinearizabilityTest {
    private final BoundedSemaphore semaphore = new BoundedSemaphore(2);

    @Operation
    public boolean tryAcquire() {
        return semaphore.tryAcquire();
    }

    /** Whether the release was accepted: a release above the initial count throws, and takes no effect. */
    @Operation
    public boolean release() {
        try {
            semaphore.release();
            return true;
        } catch (IllegalStateException aboveBound) {
            return false;
        }
    }

    @Operation
    public int availablePermits() {
        return semaphore.availablePermits();
    }

    @Test
    void isLinearizable() {
        Linearizability.check("BoundedSemaphore", SemaphoreLinearizabilityTest.class);
    }
}
