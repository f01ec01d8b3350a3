package dev.thredo.testing;

import static org.junit.jupiter.api.Assertions.fail;

import dev.thredo.Kernel;
import dev.thredo.ThreadInfo;
import dev.thredo.ThredoThread;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import org.opentest4j.AssertionFailedError;

/**
 * Bounded waits (see {@link Polling}) for a thread to reach a state: blocked in a thredo wait as the
 * kernel's registry lists it, parked or inside a given method as the JDK sees it, listed or gone.
 * Each fails the test after {@link Polling#BOUND}, and a wait for a thread to block fails at once,
 * naming the outcome, if the thread ends instead.
 */
public final class KernelPolling {

    private KernelPolling() {
    }

    /**
     * Waits until {@code kernel} lists {@code t} blocked in a thredo wait whose label
     * ({@link ThreadInfo#blockedOn()}) starts with {@code label} ({@code "Queue.take"},
     * {@code "ThredoGroup.join"}, ...), and returns that listing.
     */
    public static ThreadInfo awaitBlocked(Kernel kernel, ThredoThread<?> t, String label) {
        return Polling.find(t.name() + " blocked in " + label, () -> {
            if (t.isDone()) {
                fail(t.name() + " ended (" + t.outcome() + ") instead of blocking in " + label);
            }
            return blockedIn(kernel, t.id(), label);
        });
    }

    /** {@link #awaitBlocked(Kernel, ThredoThread, String)} for a thread known by its id only. */
    public static ThreadInfo awaitBlocked(Kernel kernel, long id, String label) {
        return Polling.find("thread #" + id + " blocked in " + label, () -> blockedIn(kernel, id, label));
    }

    private static Optional<ThreadInfo> blockedIn(Kernel kernel, long id, String label) {
        return kernel.thread(id).filter(info -> info.blockedOn() != null && info.blockedOn().startsWith(label));
    }

    /** Waits until {@code kernel} lists a live thread that matches {@code match}, and returns it. */
    public static ThreadInfo awaitThread(Kernel kernel, Predicate<ThreadInfo> match) {
        return Polling.find("a live thread matches", () -> kernel.threads().stream().filter(match).findFirst());
    }

    /** Waits until {@code kernel} lists no live thread; the failure names those still listed. */
    public static void awaitNoThreads(Kernel kernel) {
        try {
            Polling.until("no live thredo thread", () -> kernel.threads().isEmpty());
        } catch (AssertionError e) {
            throw new AssertionFailedError(e.getMessage() + "; still live: " + kernel.threads(), e);
        }
    }

    /**
     * Waits until thread {@code id} has left {@code kernel}'s registry, and returns the nanoseconds
     * from {@code sinceNanos} (a {@link System#nanoTime()}) until it was seen gone.
     */
    public static long awaitGone(Kernel kernel, long id, long sinceNanos) {
        Polling.until("thread #" + id + " gone from the kernel", () -> kernel.thread(id).isEmpty());
        return System.nanoTime() - sinceNanos;
    }

    /**
     * Waits until the JDK shows {@code t} parked ({@code WAITING} or {@code TIMED_WAITING}); returns
     * {@code false} at once if it has ended instead (racing tests decide whether that is a failure).
     */
    public static boolean awaitParked(Thread t) {
        return Polling.find(t.getName() + " parked or ended", () -> {
            Thread.State s = t.getState();
            if (s == Thread.State.TERMINATED) {
                return Optional.of(false);
            }
            return s == Thread.State.WAITING || s == Thread.State.TIMED_WAITING ? Optional.of(true) : Optional.empty();
        });
    }

    /**
     * Waits until the plain thread {@code t} is parked with {@code frame} ({@code "class.method"},
     * the class by its binary name) on its stack; fails if it ends first.
     */
    public static void awaitParkedIn(Thread t, String frame) {
        Polling.until(t.getName() + " parked in " + frame, () -> {
            Thread.State s = t.getState();
            return (s == Thread.State.WAITING || s == Thread.State.TIMED_WAITING) && inFrame(t, frame);
        });
    }

    /**
     * Waits until {@code frame} ({@code "class.method"}, the class by its binary name) is on
     * {@code t}'s stack, whatever its JDK state (a platform thread in a socket read or a virtual
     * thread whose carrier is pinned in a file read is {@code RUNNABLE}); fails if it ends first.
     */
    public static void awaitInFrame(Thread t, String frame) {
        Polling.until(t.getName() + " inside " + frame, () -> inFrame(t, frame));
    }

    private static boolean inFrame(Thread t, String frame) {
        List<StackTraceElement> stack = Arrays.asList(t.getStackTrace());
        if (stack.stream().anyMatch(f -> (f.getClassName() + "." + f.getMethodName()).equals(frame))) {
            return true;
        }
        if (!t.isAlive()) {
            fail(t.getName() + " ended instead of reaching " + frame);
        }
        return false;
    }
}
