package dev.thredo.internal;

import java.util.concurrent.ThreadFactory;

/**
 * Delivers cancellation interrupts off the canceller's thread.
 *
 * <p>{@code Thread.interrupt()} can block the <em>interrupting</em> thread: for a virtual thread in
 * {@code FileChannel.read} it waits until the read returns by itself (JDK-8321594). A cancel issued
 * from a request handler, the actuator or a group teardown must never wait on that, so each
 * interrupt is delivered by a short-lived virtual thread of its own. Delivery is needed only for a
 * thread that is not parked in a thredo wait (those are simply unparked), so this is off the common
 * path.
 */
final class InterruptDelivery {
    private final ThreadFactory factory = Thread.ofVirtual().name("thredo-interrupt").inheritInheritableThreadLocals(false).factory();

    /** Arranges for {@code target} to be interrupted soon, unless it has ended or is shielded by then. */
    void deliver(ThreadControl target) {
        factory.newThread(target::deliverInterrupt).start();
    }
}
