package dev.thredo.io;

import dev.thredo.ThreadCancelled;
import dev.thredo.internal.Clocks;
import dev.thredo.internal.Parking;
import dev.thredo.internal.Waiter;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Host name lookup that the caller can abandon.
 *
 * <p>The JDK's resolver cannot be interrupted, so the lookup runs in a helper virtual thread and the
 * caller waits for it as a thredo delivery point. A cancelled or timed-out caller leaves at once; the
 * helper finishes on its own (bounded by the system resolver's timeouts) and its answer is dropped.
 * Helpers are not thredo threads, so nothing waits for an abandoned one.
 */
final class NameLookup {
    /** Resolves a host name; {@link InetAddress#getAllByName} in production, a stand-in in tests. */
    @FunctionalInterface
    interface Resolver {
        InetAddress[] resolve(String host) throws UnknownHostException;
    }

    static final Resolver SYSTEM = InetAddress::getAllByName;

    private NameLookup() {
    }

    /**
     * The addresses of {@code host}, in the resolver's order.
     *
     * @throws UnknownHostException if the name does not resolve
     * @throws ThreadCancelled if the caller is cancelled, or a deadline passes, before the answer
     */
    static InetAddress[] resolve(String host, Resolver resolver) throws UnknownHostException {
        Waiter<Answer> answer = new Waiter<>();
        Thread.ofVirtual().name("thredo-lookup " + host).inheritInheritableThreadLocals(false).start(() -> {
            Answer result;
            try {
                result = new Answer(resolver.resolve(host), null);
            } catch (Throwable t) {
                result = new Answer(null, t);
            }
            answer.signal(result); // false if the caller gave up: the answer is dropped
        });
        Parking.await(answer, "InetAddress.getAllByName", Parking.Mode.CANCELLABLE, Clocks.NO_DEADLINE);
        Answer result = answer.item();
        return switch (result.failure()) {
            case null -> result.addresses();
            case UnknownHostException e -> throw (UnknownHostException) new UnknownHostException(e.getMessage()).initCause(e);
            case RuntimeException e -> throw e;
            case Error e -> throw e;
            case Throwable t -> throw new IllegalStateException("resolver failed", t);
        };
    }

    /** The resolver's addresses, or what it threw instead. */
    private record Answer(InetAddress[] addresses, Throwable failure) {
    }
}
