package dev.thredo.spring.web;

import java.io.IOException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.apache.tomcat.util.net.NioChannel;
import org.apache.tomcat.util.net.SocketWrapperBase;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches the connections of long-running requests on Tomcat's HTTP/1.1 NIO connector (with
 * {@link ThredoHttp11NioProtocol}) for the client going away, with one daemon thread and its own
 * {@link Selector} per application.
 *
 * <p><b>Cost.</b> {@link Watch#start()} only queues the watch. The watcher thread registers a
 * connection with its selector at its first tick ({@value #TICK_MILLIS} ms apart) after the request
 * has been running for one tick and still runs (so between one and two ticks after it started); a
 * request that ends sooner costs one queue insertion and one compare-and-set, no system call and no
 * wake-up of the watcher. The watcher wakes once a tick, busy or idle, and at once when a registered
 * connection becomes readable.
 *
 * <p><b>Detection.</b> A registered connection becomes readable when the client sends bytes or
 * closes it. The watcher then asks Tomcat's socket wrapper {@code isReadyForRead()}, which reads
 * without blocking into Tomcat's own read buffer: an {@link IOException} (end of stream, reset)
 * means the client is gone and the request's disconnect callback runs; bytes
 * mean a pipelining client (they stay in Tomcat's buffer for the next request) and the connection is
 * not watched any more. A client that half-closes its side after sending the request (shutdown of
 * output) looks the same as one that left, and is treated as gone.
 *
 * <p><b>Safety.</b> A watch moves {@code QUEUED → WATCHING ⇄ CHECKING → ENDED | STOPPED | GONE}
 * by compare-and-set; the watcher reads the socket only in {@code CHECKING}, and {@link Watch#end()}
 * waits for a check in progress, so the watcher never touches Tomcat's buffer after the request
 * thread went on. Ending a registered watch cancels its key and wakes the selector, so a channel
 * Tomcat closes next is released by this selector at once (a channel registered with a selector is
 * not closed until it is deregistered).
 */
final class TomcatClientDisconnects implements ClientDisconnects, AutoCloseable {

    /** How long a request runs before its connection is registered, and the watcher's longest sleep while it has work. */
    static final long TICK_MILLIS = 50;
    private static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(TICK_MILLIS);

    private static final Logger log = LoggerFactory.getLogger(TomcatClientDisconnects.class);

    private static final int QUEUED = 0;
    private static final int WATCHING = 1;
    private static final int CHECKING = 2;
    private static final int ENDED = 3;
    private static final int STOPPED = 4;
    private static final int GONE = 5;

    private final String threadName;
    private final Queue<TomcatWatch> queued = new ConcurrentLinkedQueue<>();
    private final LongAdder disconnects = new LongAdder();
    private volatile boolean closed;
    private volatile Selector selector;
    private Thread watcher;
    private boolean failed;

    /** @param threadName name of the watcher thread, started on the first {@link Watch#start()} */
    TomcatClientDisconnects(String threadName) {
        this.threadName = threadName;
    }

    @Override
    public Watch prepare(Runnable onDisconnect) {
        SocketWrapperBase<?> socket = ThredoHttp11NioProtocol.currentSocket();
        if (socket == null || !(socket.getSocket() instanceof NioChannel channel) || closed) {
            return null;
        }
        return new TomcatWatch(socket, channel.getIOChannel(), onDisconnect);
    }

    @Override
    public void countCancelled() {
        disconnects.increment();
    }

    @Override
    public long disconnects() {
        return disconnects.sum();
    }

    /** Whether the watcher thread has been started (it starts with the first watched request). */
    boolean isStarted() {
        return selector != null;
    }

    @Override
    public void close() {
        closed = true;
        Thread thread;
        synchronized (this) {
            thread = watcher;
        }
        Selector s = selector;
        if (s != null) {
            s.wakeup();
        }
        if (thread != null) {
            try {
                thread.join(TimeUnit.SECONDS.toMillis(1));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The selector, starting the watcher on first use; {@code null} if it could not be opened or is closed. */
    private Selector selector() {
        Selector s = selector;
        if (s != null || closed) {
            return s;
        }
        synchronized (this) {
            if (selector == null && !failed && !closed) {
                try {
                    Selector opened = Selector.open();
                    watcher = Thread.ofPlatform().name(threadName).daemon(true).start(() -> run(opened));
                    selector = opened;
                } catch (IOException | RuntimeException e) {
                    failed = true;
                    log.warn("thredo.web.cancel-on-disconnect: cannot open a selector; client disconnects are not detected", e);
                }
            }
            return selector;
        }
    }

    private void enqueue(TomcatWatch watch) {
        Selector s = selector();
        if (s == null) {
            return;
        }
        queued.add(watch);
    }

    private void run(Selector selector) {
        ArrayDeque<TomcatWatch> pending = new ArrayDeque<>();
        try (selector) {
            while (!closed) {
                for (TomcatWatch w; (w = queued.poll()) != null; ) {
                    pending.add(w);
                }
                long now = System.nanoTime();
                while (!pending.isEmpty() && now - pending.peek().queuedAt >= TICK_NANOS) {
                    pending.poll().register(selector);
                }
                // One fixed tick, busy or idle: a request thread never wakes the watcher to queue a watch
                // (no system call, no contention on the selector's locks on the request path), and
                // under load the watcher wakes 20 times a second, not once per request coming of age
                // (waking every millisecond cost a few percent of a 2-core machine's throughput). A
                // request is so registered between one and two ticks after it started.
                selector.select(TICK_MILLIS);
                Iterator<SelectionKey> ready = selector.selectedKeys().iterator();
                while (ready.hasNext()) {
                    SelectionKey key = ready.next();
                    ready.remove();
                    ((TomcatWatch) key.attachment()).check(key);
                }
            }
        } catch (IOException | RuntimeException e) {
            log.warn("thredo disconnect watcher failed; client disconnects are not detected any more", e);
        } finally {
            closed = true;
        }
    }

    private final class TomcatWatch implements Watch {
        private final SocketWrapperBase<?> socket;
        private final SelectableChannel channel;
        private final Runnable onDisconnect;
        private final AtomicInteger state = new AtomicInteger(QUEUED);
        private volatile boolean started;
        /** Written by the watcher only in CHECKING, read by {@link #end()} after it left WATCHING. */
        private volatile SelectionKey key;
        long queuedAt;

        TomcatWatch(SocketWrapperBase<?> socket, SelectableChannel channel, Runnable onDisconnect) {
            this.socket = socket;
            this.channel = channel;
            this.onDisconnect = onDisconnect;
        }

        @Override
        public void start() {
            if (started) {
                return;
            }
            started = true;
            queuedAt = System.nanoTime();
            enqueue(this);
        }

        @Override
        public boolean isStarted() {
            return started;
        }

        /** On the watcher: registers the connection if the request is still running. */
        void register(Selector selector) {
            if (!state.compareAndSet(QUEUED, CHECKING)) {
                return; // ended before its first tick: never touched the selector
            }
            int next = WATCHING;
            try {
                key = channel.register(selector, SelectionKey.OP_READ, this);
            } catch (IOException | RuntimeException closedOrCancelled) {
                next = STOPPED; // the connection is closing anyway; nothing to watch
            }
            state.set(next);
        }

        /** On the watcher: the connection is readable; find out whether it is end of stream. */
        void check(SelectionKey key) {
            if (!state.compareAndSet(WATCHING, CHECKING)) {
                key.cancel();
                return;
            }
            int next;
            try {
                if (socket.isReadyForRead()) {
                    next = STOPPED; // a pipelined request: Tomcat reads it after this one
                    key.cancel();
                } else {
                    next = WATCHING; // nothing there after all (e.g. TLS records without data)
                }
            } catch (IOException gone) {
                next = GONE;
                key.cancel();
            } catch (RuntimeException unexpected) {
                next = STOPPED;
                key.cancel();
                log.debug("disconnect check failed; the connection is not watched any more", unexpected);
            }
            state.set(next);
            if (next == GONE) {
                onDisconnect.run();
            }
        }

        @Override
        public boolean end() {
            for (int spins = 0; ; spins++) {
                int s = state.get();
                if (s == CHECKING) {
                    if (spins < 100) {
                        Thread.onSpinWait();
                    } else {
                        Thread.yield(); // the watcher was descheduled mid-check
                    }
                } else if (s == QUEUED || s == WATCHING) {
                    if (state.compareAndSet(s, ENDED)) {
                        SelectionKey k = key;
                        if (k != null) {
                            k.cancel();
                            k.selector().wakeup(); // deregister now, so Tomcat's close of the channel is not held up
                        }
                        return false;
                    }
                } else {
                    return s == GONE;
                }
            }
        }
    }
}
