package dev.thredo.internal;

import java.util.concurrent.ThreadFactory;

/**
 * Delivers cancellations and expired deadlines to threads that are not parked in a thredo wait, off
 * the canceller's thread: by interrupt, or by running the thread's open {@link CancelActionControl
 * cancel action} instead.
 *
 * <p>{@code Thread.interrupt()} can block the <em>interrupting</em> thread: for a virtual thread in
 * {@code FileChannel.read} it waits until the read returns by itself (JDK-8321594), and a cancel
 * action may block for as long as it takes to reach a database. A cancel issued from a request
 * handler, the actuator, a group teardown or the {@link DeadlineTimer} must never wait on that, so
 * each delivery runs on a short-lived virtual thread of its own. Threads parked in a thredo wait are
 * simply unparked, so this is off the common path.
 */
final class CancelDelivery {
    private final ThreadFactory factory = Thread.ofVirtual().name("thredo-cancel-delivery")
            .inheritInheritableThreadLocals(false).factory();

    /** Arranges for {@code target}'s cancellation to reach it soon, unless it has ended or is shielded by then. */
    void cancel(ThreadControl target) {
        factory.newThread(target::deliverCancel).start();
    }

    /** Arranges for {@code target}'s expired deadline to reach it soon, unless it no longer applies by then. */
    void deadline(ThreadControl target) {
        factory.newThread(target::deliverDeadline).start();
    }
}
