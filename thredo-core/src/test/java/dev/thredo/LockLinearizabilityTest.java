package dev.thredo;

import org.jetbrains.lincheck.datastructures.Operation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link Lock} (no owner: any thread may unlock) is linearizable: tryLock, unlock (refused when unlocked), isLocked. */
@Timeout(value = 900, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
public class LockLinearizabilityTest {
    private final Lock lock = new Lock();

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

    @Test
    void isLinearizable() {
        Linearizability.check("Lock", LockLinearizabilityTest.class);
    }
}
