package dev.thredo.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;

/**
 * The nested timeout and shield scopes of one thread, innermost on top. Owned by that thread: only
 * it pushes, pops and reads the stack, so the stack is not synchronized. What other threads read of
 * the scopes is kept here too, in volatile fields that only the owner writes (except
 * {@link #armed}, changed by CAS): the {@linkplain #published published deadline}, the
 * {@linkplain #shieldDepth shield depth} and the {@linkplain #armed timer entry}, which
 * {@link ThreadControl}'s deliveries, its {@link DeadlineTimer} and the registry read. A thread
 * that never opens a scope has none of this (the stack is created at its first scope).
 *
 * <p>A timeout scope contributes its deadline; a shield scope hides every deadline below it (and
 * the thread's cancellation, which {@link ThreadControl} tracks). The <em>visible effective
 * deadline</em> is the earliest deadline above the innermost shield, kept per level so that reading
 * it is O(1) on every blocking call; only the exit of a scope by timeout scans the stack.
 *
 * <p>Deadlines are {@link System#nanoTime()} values compared by subtraction, so they survive the
 * wrap of the nano clock; {@link Clocks#NO_DEADLINE} is none.
 */
final class DeadlineStack {

    /** Exit verdicts: which scope a timeout that reaches a scope's exit belongs to. */
    static final int THIS_SCOPE = 0;
    static final int OUTER_SCOPE = 1;
    static final int NO_SCOPE = 2;

    private static final VarHandle ARMED;

    static {
        try {
            ARMED = MethodHandles.lookup().findVarHandle(DeadlineStack.class, "armed", DeadlineTimer.Entry.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** The visible effective deadline as last published by the owner. */
    volatile long published = Clocks.NO_DEADLINE;
    /** Open shields. */
    volatile int shieldDepth;
    /**
     * When the delivered deadline was found expired; written under the owner's gate together with
     * its {@code DEADLINE_DELIVERED} bit.
     */
    long firedAt;
    /** The earliest deadline armed with the {@link DeadlineTimer}, or {@code null}. */
    private volatile DeadlineTimer.Entry armed;

    private long[] deadlines = new long[4];   // Clocks.NO_DEADLINE for a shield
    private long[] effective = new long[4];   // visible effective deadline at each level
    private boolean[] shield = new boolean[4];
    private int depth;

    /** The earliest visible deadline, or {@link Clocks#NO_DEADLINE}. */
    long effective() {
        return depth == 0 ? Clocks.NO_DEADLINE : effective[depth - 1];
    }

    /** Pushes a timeout scope; returns its level, to be handed back to {@link #exitVerdict}. */
    int pushTimeout(long deadline) {
        grow();
        long outer = effective();
        deadlines[depth] = deadline;
        shield[depth] = false;
        effective[depth] = outer == Clocks.NO_DEADLINE || deadline - outer < 0 ? deadline : outer;
        return depth++;
    }

    /** Pushes a shield scope, which hides every deadline below it. */
    void pushShield() {
        grow();
        deadlines[depth] = Clocks.NO_DEADLINE;
        shield[depth] = true;
        effective[depth] = Clocks.NO_DEADLINE;
        depth++;
    }

    /** Pops the innermost scope. */
    void pop() {
        depth--;
    }

    /**
     * Decides, for a timeout observed at {@code observedAt} that reaches the exit of the timeout
     * scope at {@code level} (the top of the stack), which scope it belongs to: the outermost scope
     * that had expired by then, searching no further out than the innermost shield.
     */
    int exitVerdict(int level, long observedAt) {
        int bottom = level;
        while (bottom > 0 && !shield[bottom - 1]) {
            bottom--;
        }
        for (int i = bottom; i <= level; i++) {
            if (!shield[i] && observedAt - deadlines[i] >= 0) {
                return i == level ? THIS_SCOPE : OUTER_SCOPE;
            }
        }
        return NO_SCOPE;
    }

    private void grow() {
        if (depth == deadlines.length) {
            int n = depth * 2;
            deadlines = Arrays.copyOf(deadlines, n);
            effective = Arrays.copyOf(effective, n);
            shield = Arrays.copyOf(shield, n);
        }
    }

    /** Makes sure the {@link DeadlineTimer} fires no later than {@code deadline} for {@code owner}. */
    void armIfEarlier(ThreadControl owner, long deadline) {
        for (;;) {
            DeadlineTimer.Entry current = armed;
            if (current != null && current.at - deadline <= 0) {
                return;
            }
            DeadlineTimer.Entry fresh = new DeadlineTimer.Entry(owner, deadline);
            if (ARMED.compareAndSet(this, current, fresh)) {
                if (current != null) {
                    DeadlineTimer.retire(current);
                }
                DeadlineTimer.schedule(fresh);
                return;
            }
        }
    }

    /** For the timer: un-arms {@code entry}; {@code false} if an earlier one replaced it meanwhile. */
    boolean disarm(DeadlineTimer.Entry entry) {
        return ARMED.compareAndSet(this, entry, null);
    }

    /** For the ended owner: un-arms and retires its entry, if any. */
    void disarm() {
        DeadlineTimer.Entry entry = armed;
        if (entry != null && ARMED.compareAndSet(this, entry, null)) {
            DeadlineTimer.retire(entry);
        }
    }
}
