package dev.thredo;

import org.jetbrains.lincheck.datastructures.Operation;
import org.junit.jupiter.api.Timeout;

/** {@link BoundedSemaphore} (2 permits), fair and non-fair, is linearizable: tryAcquire, release (refused above 2), availablePermits. */
@Timeout(value = 900, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
public class SemaphoreLinearizabilityTest {
    private final BoundedSemaphore semaphore = new BoundedSemaphore(2, fair());

    /** Whether the primitive is fair: no, except in {@link Fair}. */
    boolean fair() {
        return false;
    }

    /** The same operations on the fair primitive (Lincheck builds its test instances with a no-argument constructor). */
    public static class Fair extends SemaphoreLinearizabilityTest {
        @Override
        boolean fair() {
            return true;
        }
    }

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

    @EachFairness
    void isLinearizable(boolean fair) {
        Linearizability.check(fair ? "BoundedSemaphore (fair)" : "BoundedSemaphore", fair ? Fair.class : SemaphoreLinearizabilityTest.class);
    }
}
