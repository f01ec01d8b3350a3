package dev.thredo.bench;

import java.util.List;

/** Waits until threads are parked, so a benchmark starts from a population that is really blocked. */
final class Blocked {
    private Blocked() {
    }

    static void awaitParked(List<Thread> threads) {
        for (Thread t : threads) {
            awaitParked(t);
        }
    }

    static void awaitParked(Thread t) {
        for (;;) {
            Thread.State s = t.getState();
            if (s == Thread.State.WAITING || s == Thread.State.TIMED_WAITING) {
                return;
            }
            if (s == Thread.State.TERMINATED) {
                throw new IllegalStateException("thread ended before blocking: " + t);
            }
            Thread.onSpinWait();
            Thread.yield();
        }
    }
}
