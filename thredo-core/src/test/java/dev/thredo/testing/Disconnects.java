package dev.thredo.testing;

import io.micrometer.core.instrument.MeterRegistry;

/**
 * The starter's {@code thredo.web.disconnects} counter (requests cancelled because their client left),
 * as a test reads it from an application's meter registry.
 */
public final class Disconnects {

    private Disconnects() {
    }

    /** The count so far; fails if the counter is not registered. */
    public static double count(MeterRegistry registry) {
        return registry.get("thredo.web.disconnects").functionCounter().count();
    }
}
