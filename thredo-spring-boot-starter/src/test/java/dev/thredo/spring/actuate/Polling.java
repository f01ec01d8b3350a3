package dev.thredo.spring.actuate;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waits for a condition by polling it, with a bound; never a fixed sleep. */
final class Polling {
    static final Duration BOUND = dev.thredo.spring.KernelPolling.BOUND;

    private Polling() {
    }

    static void await(String what, BooleanSupplier condition) {
        dev.thredo.spring.KernelPolling.awaitUntil(what, condition);
    }
}
