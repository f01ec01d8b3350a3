package dev.thredo.io;

import dev.thredo.ThreadCancelled;
import dev.thredo.internal.Clocks;
import dev.thredo.internal.ThreadControl;
import java.io.IOException;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.List;

/**
 * Waits until a non-blocking channel is ready for an operation, as a thredo delivery point: the one
 * waiting loop of this package.
 *
 * <p>A wait selects on a {@link Selector} with a timeout up to the thread's visible deadline, and
 * checks the thread's pending cancellation and deadline before every select. It is bracketed by
 * {@link ThreadControl#enterInterruptibleWait}, so a cancellation is delivered as an interrupt,
 * which makes {@code select} return at once (as a wakeup) on virtual and platform threads alike.
 * Outside a thredo thread an interrupt ends the wait with {@link ThreadCancelled} and stays set.
 *
 * <p>Selectors: one per waiting thread, kept for the next wait (a socket has one reader and one
 * writer at a time, so usually one or two selectors exist per socket, and only one while idle).
 * {@link #close()} closes every selector, which wakes the threads waiting in them; they end with
 * {@link AsynchronousCloseException}. Closing the selectors also deregisters the channel, so closing
 * the channel afterwards releases its file descriptor at once.
 */
final class Readiness {
    private final SelectableChannel channel;
    private final List<Selector> inUse = new ArrayList<>(2); // guarded by this
    private Selector idle;                                   // guarded by this
    private boolean closed;                                  // guarded by this

    Readiness(SelectableChannel channel) {
        this.channel = channel;
    }

    /**
     * Waits until the channel is ready for {@code ops} (or may be: callers retry their operation
     * and wait again if it still cannot proceed).
     *
     * @param blockedOn what the registry shows the thread blocked on
     * @throws ThreadCancelled if the thread is or gets cancelled, or a deadline in force passes
     * @throws AsynchronousCloseException if the channel is closed meanwhile
     * @throws ClosedChannelException if it was closed already
     */
    void await(int ops, String blockedOn) throws IOException {
        Selector selector = take();
        ThreadControl self = ThreadControl.current();
        if (self != null) {
            self.enterInterruptibleWait(blockedOn); // before the first look at the cancellation: no lost wakeup
        }
        try {
            SelectionKey key = channel.keyFor(selector);
            if (key == null) {
                try {
                    channel.register(selector, ops);
                } catch (ClosedChannelException closedMeanwhile) {
                    // open when the caller's operation found nothing to do, closed before the wait began
                    throw new AsynchronousCloseException();
                }
            } else {
                key.interestOps(ops);
            }
            for (;;) {
                ThreadCancelled abort = pendingAbort(self);
                if (abort != null) {
                    throw abort;
                }
                if (selector.select(k -> { }, selectTimeoutMillis(self)) > 0) {
                    return;
                }
                if (isClosed()) {
                    throw new AsynchronousCloseException();
                }
            }
        } catch (ClosedSelectorException | CancelledKeyException e) {
            throw new AsynchronousCloseException(); // close() ran between take() and select()
        } finally {
            if (self != null) {
                self.exitInterruptibleWait(); // re-arms the interrupt flag if a cancellation is due
            }
            giveBack(selector);
        }
    }

    /** What the waiting thread must throw now, or {@code null}; never leaves a held-back interrupt set. */
    private static ThreadCancelled pendingAbort(ThreadControl self) {
        if (self == null) {
            return Thread.currentThread().isInterrupted() ? new ThreadCancelled("interrupted while waiting for a socket") : null;
        }
        ThreadCancelled abort = self.pendingAbort();
        if (abort == null && self.absorbInterrupt()) {
            // A cancellation held back by a shield, or an interrupt that arrived just now: now recorded
            // and the flag cleared (select would return at once, forever); ask once more.
            abort = self.pendingAbort();
        }
        return abort;
    }

    /** Until the visible deadline, rounded up to a whole millisecond; 0 (no limit) without one. */
    private static long selectTimeoutMillis(ThreadControl self) {
        long deadline = self == null ? Clocks.NO_DEADLINE : self.visibleDeadline();
        if (deadline == Clocks.NO_DEADLINE) {
            return 0;
        }
        return Math.max(1, Math.ceilDiv(deadline - System.nanoTime(), 1_000_000L));
    }

    private synchronized Selector take() throws IOException {
        if (closed) {
            throw new ClosedChannelException();
        }
        Selector s = idle;
        idle = null;
        if (s == null) {
            s = Selector.open();
        }
        inUse.add(s);
        return s;
    }

    private void giveBack(Selector s) {
        synchronized (this) {
            inUse.remove(s);
            if (!closed && idle == null && s.isOpen()) {
                idle = s;
                return;
            }
        }
        closeQuietly(s);
    }

    private synchronized boolean isClosed() {
        return closed;
    }

    /** Closes every selector, waking the threads that wait in them. Idempotent. */
    void close() {
        List<Selector> toClose;
        synchronized (this) {
            closed = true;
            toClose = new ArrayList<>(inUse);
            if (idle != null) {
                toClose.add(idle);
                idle = null;
            }
        }
        toClose.forEach(Readiness::closeQuietly);
    }

    private static void closeQuietly(Selector s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // Nothing to do: the selector is unusable either way.
        }
    }
}
