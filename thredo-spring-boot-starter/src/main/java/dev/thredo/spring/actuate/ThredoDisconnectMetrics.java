package dev.thredo.spring.actuate;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * The {@code thredo.web.disconnects} counter: requests cancelled because their HTTP client
 * disconnected while the handler was running ({@code thredo.web.cancel-on-disconnect}). It reads a
 * count kept by the request integration, so counting costs nothing on the request path.
 */
public class ThredoDisconnectMetrics implements MeterBinder {

    private final LongSupplier disconnects;
    private final Iterable<Tag> tags;

    /**
     * Creates the binder; the metrics auto-configuration makes one when client-disconnect
     * cancellation is on.
     *
     * @param disconnects the number of requests cancelled so far because their client disconnected
     * @param tags extra tags on the counter; keep them few and of low cardinality
     * @throws NullPointerException if an argument is {@code null}
     */
    public ThredoDisconnectMetrics(LongSupplier disconnects, Iterable<Tag> tags) {
        this.disconnects = Objects.requireNonNull(disconnects, "disconnects");
        this.tags = Objects.requireNonNull(tags, "tags");
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        FunctionCounter.builder("thredo.web.disconnects", disconnects, LongSupplier::getAsLong)
                .description("Requests cancelled because their HTTP client disconnected")
                .baseUnit("requests")
                .tags(tags)
                .register(registry);
    }
}
