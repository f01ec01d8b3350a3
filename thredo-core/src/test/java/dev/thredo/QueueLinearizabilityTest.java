package dev.thredo;

import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.junit.jupiter.api.Timeout;

/** {@link Queue} (bounded, capacity 2), fair and non-fair, is linearizable: offer, poll, peek, size, remainingCapacity. */
@Param(name = "item", gen = IntGen.class, conf = "1:9")
@Timeout(value = 900, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
public class QueueLinearizabilityTest {
    private final Queue<Integer> queue = new Queue<>(2, fair());

    /** Whether the primitive is fair: no, except in {@link Fair}. */
    boolean fair() {
        return false;
    }

    /** The same operations on the fair primitive (Lincheck builds its test instances with a no-argument constructor). */
    public static class Fair extends QueueLinearizabilityTest {
        @Override
        boolean fair() {
            return true;
        }
    }

    @Operation
    public boolean offer(@Param(name = "item") int item) {
        return queue.offer(item);
    }

    @Operation
    public Integer poll() {
        return queue.poll();
    }

    @Operation
    public Integer peek() {
        return queue.peek();
    }

    @Operation
    public int size() {
        return queue.size();
    }

    @Operation
    public int remainingCapacity() {
        return queue.remainingCapacity();
    }

    @EachFairness
    void isLinearizable(boolean fair) {
        Linearizability.check(fair ? "Queue (fair)" : "Queue", fair ? Fair.class : QueueLinearizabilityTest.class);
    }
}
