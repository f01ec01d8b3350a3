package dev.thredo.spring;

import dev.thredo.ThreadInfo;
import dev.thredo.ThredoThread;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The thredo threads serving requests right now, as the request integration registers them, so
 * that a shutdown can tell them (and the threads working for them) from everything else: requests
 * get the web server's graceful window, the rest is cancelled when shutdown begins (see
 * {@link ThredoShutdown}).
 *
 * <p>Thread-safe; registering and unregistering cost one concurrent-set operation each.
 */
public final class RequestThreads {
    private final Set<Long> ids = ConcurrentHashMap.newKeySet();
    /** The monitor a shutdown waits on for the last request; private, so no caller can hold it. */
    private final Object drained = new Object();
    /** Whether a shutdown waits in {@link #awaitNone}; read by {@link #ended} after its removal. */
    private volatile boolean awaited;

    /**
     * Creates an empty registry. The auto-configuration makes the application's one; a request
     * filter built without it makes its own.
     */
    public RequestThreads() {
    }

    /**
     * Registers {@code request}, a thread now serving a request.
     *
     * @param request the thread the request runs in; threads it spawns count as serving it too
     */
    public void started(ThredoThread<?> request) {
        ids.add(request.id());
    }

    /**
     * Unregisters {@code request}, whose request is over (its answer written); wakes a shutdown
     * waiting for the last one. Unregistering a thread that is not registered does nothing.
     *
     * @param request a thread given to {@link #started(ThredoThread)}
     */
    public void ended(ThredoThread<?> request) {
        ids.remove(request.id());
        if (awaited && ids.isEmpty()) { // pairs with awaitNone: flag written, then the set read
            synchronized (drained) {
                drained.notifyAll();
            }
        }
    }

    /**
     * Waits until no request is registered (every one has written its answer), at most {@code limit}.
     *
     * @return whether none is left
     */
    boolean awaitNone(Duration limit) throws InterruptedException {
        long end = System.nanoTime() + limit.toNanos();
        awaited = true;
        synchronized (drained) {
            while (!ids.isEmpty()) {
                long left = end - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(drained, left);
            }
        }
        return true;
    }

    /**
     * Whether {@code t} serves a request: it is a registered request thread, or was spawned (directly
     * or further down) by one, as its parent ids in {@code live} say.
     */
    boolean serves(ThreadInfo t, Map<Long, ThreadInfo> live) {
        for (ThreadInfo at = t; at != null; at = at.parentId() == 0 ? null : live.get(at.parentId())) {
            if (ids.contains(at.id())) {
                return true;
            }
        }
        return false;
    }
}
