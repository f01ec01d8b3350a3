package dev.thredo.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One registration of a cancel action: the state machine behind the public {@code CancelAction}.
 *
 * <pre>
 *   OPEN -> RUNNING -> RAN     a delivery claimed it ({@link #claim}) and ran it ({@link #runClaimed})
 *   OPEN -> CLOSED             the owner closed it first: it never runs
 * </pre>
 * The one CAS out of {@code OPEN} decides between the owner and a delivery, so the action runs at
 * most once and never starts after {@link #close} returned; {@code close} of a {@code RUNNING}
 * action waits until it has ran, so the action never touches a resource its call has given back.
 *
 * <p>Memory effects: what the action did (and its {@link #failure()}) happens-before {@code close}
 * returns.
 */
public final class CancelActionControl {
    /** The code a registration runs; {@code dev.thredo} adapts the public body type to it. */
    @FunctionalInterface
    public interface Action {
        void run() throws Exception;
    }

    private static final int OPEN = 0;
    private static final int RUNNING = 1;
    private static final int RAN = 2;
    private static final int CLOSED = 3;

    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(CancelActionControl.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Action action;
    /** What the call is, as the registry shows the thread blocked on; {@code null} if not named. */
    final String call;
    /** The registration this one shadows while open; restored when it closes. */
    final CancelActionControl outer;
    private volatile int state;
    private Throwable failure;
    private final WaitQueue<Void> ranWaiters = new WaitQueue<>(); // guarded by this

    CancelActionControl(String call, Action action, CancelActionControl outer) {
        this.call = call;
        this.action = action;
        this.outer = outer;
    }

    /** A delivery takes the right to run the action; {@code false} if it ran or was closed already. */
    boolean claim() {
        return STATE.compareAndSet(this, OPEN, RUNNING);
    }

    /** Runs the action after a successful {@link #claim()}; never throws. */
    void runClaimed() {
        Throwable t = null;
        try {
            action.run();
        } catch (Throwable e) {
            t = e;
        }
        synchronized (this) {
            failure = t;
            state = RAN;
            ranWaiters.signalAll();
        }
    }

    /** Whether the action is still to run for the next delivery. */
    boolean isOpen() {
        return state == OPEN;
    }

    /**
     * Closes the registration: afterwards the action never starts, and if it was running, it has
     * finished. Waits (holding cancellation back) for a running action.
     *
     * @return whether the action ran (or had started)
     */
    boolean close() {
        if (STATE.compareAndSet(this, OPEN, CLOSED)) {
            return false;
        }
        if (state == RUNNING) {
            Parking.awaitCondition(this, ranWaiters, () -> state == RAN, "cancel action", Parking.Mode.HOLD,
                    Clocks.NO_DEADLINE);
        }
        return state == RAN;
    }

    /** Whether the action ran or is running. */
    public boolean hasRun() {
        int s = state;
        return s == RUNNING || s == RAN;
    }

    /** What the action threw, once it {@linkplain #hasRun ran}; {@code null} if nothing. */
    public synchronized Throwable failure() {
        return failure;
    }
}
