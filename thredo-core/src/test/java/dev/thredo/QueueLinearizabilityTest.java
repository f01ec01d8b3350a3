package dev.thredo;

import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link Queue} (bounded, capacity 2) is linearizable: offer, poll, peek, size, remainingCapacity. */
@Param(name = "item", gen = IntGen.class, conf = "1:9")
@Timeout(value = 900, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
public class QueueLinearizabilityTest {
    private final Queue<Integer> queue = new Queue<>(2);

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

    @Test
    void isLinearizable() {
        Linearizability.check("Queue", QueueLinearizabilityTest.class);
    }
}
