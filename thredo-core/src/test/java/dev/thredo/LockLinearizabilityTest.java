package dev.thredo;

import org.jetbrains.lincheck.datastructures.Operation;
import org.junit.jupiter.api.Timeout;

/** {@link Lock} (no owner: any thread may unlock), fair and non-fair, is linearizable: tryLock, unlock (refused when unlocked), isLocked. */
@Timeout(value = 900, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
public class LockLinearizabilityTest {
    private final Lock lock = new Lock(fair());

    /** Whether the primitive is fair: no, except in {@link Fair}. */
    boolean fair() {
        return false;
    }

    /** The same operations on the fair primitive (Lincheck builds its test instances with a no-argument constructor). */
    public static class Fair extends LockLinearizabilityTest {
        @Override
        boolean fair() {
            return true;
        }
    }

    @Operation
    public boolean tryLock() {
        return lock.tryLock();
    }

    /** Whether the unlock was accepted: unlocking an unlocked lock throws, and takes no effect. */
    @Operation
    public boolean unlock() {
        try {
            lock.unlock();
            return true;
        } catch (IllegalMonitorStateException notLocked) {
            return false;
        }
    }

    @Operation
    public boolean isLocked() {
        return lock.isLocked();
    }

    @EachFairness
    void isLinearizable(boolean fair) {
        Linearizability.check(fair ? "Lock (fair)" : "Lock", fair ? Fair.class : LockLinearizabilityTest.class);
    }
}
