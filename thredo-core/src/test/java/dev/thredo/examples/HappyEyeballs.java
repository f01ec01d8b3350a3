package dev.thredo.examples;

import dev.thredo.Outcome;
import dev.thredo.Thredo;
import dev.thredo.ThredoGroup;
import dev.thredo.ThredoThread;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Happy Eyeballs (RFC 8305 §5): try a host's addresses one after another, starting the next
 * attempt when the previous one fails or after a short stagger, whichever comes first; the first
 * connection made wins and the other attempts are cancelled (thredo's {@code examples/happy.py}).
 *
 * <p>All attempts are members of one {@link ThredoGroup.Wait#OBJECT} group: a failed attempt returns
 * {@code null}, which does not count as winning (with {@code Wait.ANY}, as in the Python original, a
 * quick failure would "win" the race). The connector is itself a member, spawning each attempt
 * into the same group, so it too is cancelled the moment an attempt wins.
 */
public final class HappyEyeballs {
    private HappyEyeballs() {
    }

    /** How one attempt connects. Real code dials directly; the demo adds simulated network latency. */
    @FunctionalInterface
    public interface Dialer {
        Socket dial(InetSocketAddress address) throws IOException;
    }

    /** The plain dialer: a blocking connect, which a thredo cancel interrupts on a virtual thread. */
    public static final Dialer DIRECT = address -> {
        Socket s = new Socket();
        try {
            s.connect(address);
            return s;
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    };

    /** The winning socket (the caller closes it) and every attempt (ended by now), in start order. */
    public record Result(Socket socket, List<ThredoThread<?>> attempts) {
    }

    static Socket attempt(Dialer dialer, InetSocketAddress address) {
        System.out.println("trying " + address);
        try {
            Socket s = dialer.dial(address);
            System.out.println("connected to " + address);
            return s;
        } catch (IOException e) {
            // A cancelled attempt also lands here (the interrupt closes its socket); checking first
            // lets it end as CANCELLED rather than look like a failed address.
            Thredo.checkCancellation();
            System.out.println(address + " failed: " + e);
            return null; // no winner; the connector moves on to the next address at once
        }
    }

    /**
     * Connects to the first of {@code addresses} that answers, starting one attempt every
     * {@code stagger} (sooner when an attempt fails). Must run in a thredo thread.
     *
     * @throws IOException if no address answered
     */
    public static Result connect(List<InetSocketAddress> addresses, Duration stagger, Dialer dialer) throws IOException {
        try (ThredoGroup race = ThredoGroup.open("happy-eyeballs", ThredoGroup.Wait.OBJECT)) {
            race.spawn("connector", () -> {
                ThredoThread<Socket> previous = null;
                for (InetSocketAddress address : addresses) {
                    if (previous != null) {
                        ThredoThread<Socket> p = previous;
                        // Give the previous attempt a head start: move on when it ends or when the
                        // stagger expires, whichever comes first. (Had it connected, the group has
                        // won and cancels this connector, and any attempt it still starts.)
                        Thredo.ignoreAfter(stagger, () -> p.await());
                    }
                    previous = race.spawn("connect " + address, () -> attempt(dialer, address));
                }
                return null; // the connector's own null result never wins
            });
            race.join();

            List<ThredoThread<?>> attempts = race.threads().subList(1, race.threads().size());
            ThredoThread<?> winner = race.completed().orElse(null);
            // Two attempts may connect at nearly the same moment: close every socket but the winner's.
            for (ThredoThread<?> a : attempts) {
                if (a != winner && a.outcome() == Outcome.SUCCEEDED && a.resultNow() instanceof Socket s) {
                    s.close();
                }
            }
            if (winner == null) {
                throw new IOException("could not connect to any of " + addresses);
            }
            return new Result(race.result(), attempts);
        }
    }

    public static void main(String[] args) throws Exception {
        Thredo.run(() -> {
            // Three "addresses of one host", all on loopback: one that answers only after 10 s (an
            // unreachable route), one that refuses, and one that answers after 50 ms.
            try (ServerSocket slow = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
                 ServerSocket fast = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
                InetSocketAddress slowAddress = (InetSocketAddress) slow.getLocalSocketAddress();
                InetSocketAddress fastAddress = (InetSocketAddress) fast.getLocalSocketAddress();
                InetSocketAddress refused = closedPort();
                Dialer simulated = withLatency(Map.of(slowAddress, Duration.ofSeconds(10), fastAddress, Duration.ofMillis(50)));
                Result r = connect(List.of(slowAddress, refused, fastAddress), Duration.ofMillis(250), simulated);
                try (Socket s = r.socket()) {
                    System.out.println("Connected: " + s);
                    r.attempts().forEach(System.out::println);
                }
            }
            return null;
        });
    }

    /** A dialer that first waits the simulated network latency of the address (none if not listed). */
    public static Dialer withLatency(Map<InetSocketAddress, Duration> latency) {
        return address -> {
            Thredo.sleep(latency.getOrDefault(address, Duration.ZERO));
            return DIRECT.dial(address);
        };
    }

    /** A loopback address nobody listens on, so connecting to it is refused at once. */
    public static InetSocketAddress closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return (InetSocketAddress) s.getLocalSocketAddress();
        }
    }
}
