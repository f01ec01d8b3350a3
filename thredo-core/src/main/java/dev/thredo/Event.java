package dev.thredo;

import dev.thredo.internal.Clocks;
import dev.thredo.internal.Parking;
import dev.thredo.internal.Timeouts;
import dev.thredo.internal.WaitQueue;
import java.util.concurrent.TimeUnit;

/**
 * A flag that threads can wait for: thredo's {@code Event}.
 *
 * <p>{@link #set()} sets the flag and wakes every waiter; the flag stays set until {@link #clear()}.
 * {@link #await()} returns at once while the flag is set, and otherwise blocks until it is set.
 *
 * <h2>Blocking and cancellation</h2>
 * {@code await} is a delivery point only when it waits: a cancelled or timed-out wait throws
 * {@link ThreadCancelled} or {@link ThreadTimeout}. Outside a thredo thread, an interrupt before or
 * during {@code await} ends it with {@link InterruptedException} (thrown though not declared), the
 * flag cleared, as {@code CountDownLatch.await} does. {@code set}, {@code clear} and {@code isSet}
 * never block and work in any thread, in a kernel or not.
 *
 * <p>Memory effects: actions before {@code set()} happen-before a return from an {@code await()}
 * that it ended.
 */
public final class Event {
    private final Object sync = new Object();
    private final WaitQueue<Void> waiters = new WaitQueue<>(); // guarded by sync
    private boolean set;                               // guarded by sync

    /** Creates a cleared event. */
    public Event() {
    }

    /** Sets the flag and wakes every waiter. */
    public void set() {
        synchronized (sync) {
            set = true;
            waiters.signalAll();
        }
    }

    /** Clears the flag. */
    public void clear() {
        synchronized (sync) {
            set = false;
        }
    }

    /** {@return whether the flag is set now} Never blocks. */
    public boolean isSet() {
        synchronized (sync) {
            return set;
        }
    }

    /**
     * Waits until the flag is set; returns at once if it is.
     *
     * @throws ThreadCancelled if cancelled (or interrupted) while waiting
     * @throws ThreadTimeout if a deadline passes while waiting
     */
    public void await() {
        Parking.checkInterruptOnEntry();
        Parking.acquire(sync, waiters, () -> set, "Event.await", Parking.Mode.INTERRUPTIBLE, Clocks.NO_DEADLINE);
    }

    /**
     * Waits at most the timeout for the flag to be set.
     *
     * @param time how long to wait at most; zero or negative for not at all
     * @param unit the unit of {@code time}
     * @return {@code true} if the flag is set (at once, or within the timeout); {@code false} if the
     *     timeout passed first
     * @throws ThreadCancelled as {@link #await()}
     * @throws ThreadTimeout if a deadline of the calling thread passes first (this method's own
     *     timeout returns {@code false} instead)
     */
    public boolean await(long time, TimeUnit unit) {
        Parking.checkInterruptOnEntry();
        return Parking.acquire(sync, waiters, () -> set, "Event.await", Parking.Mode.INTERRUPTIBLE, Timeouts.limit(time, unit));
    }

    @Override
    public String toString() {
        return "Event[" + (isSet() ? "set" : "clear") + "]";
    }
}
