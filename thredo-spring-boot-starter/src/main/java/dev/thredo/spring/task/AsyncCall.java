package dev.thredo.spring.task;

import dev.thredo.ThredoThread;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;

/**
 * One call of an {@code @Async} method, from its submission on the caller's thread to its run on the
 * executor's: its name, and the link from the {@link CompletableFuture} the caller got to the thredo
 * thread that runs it. {@code CompletableFuture.cancel} interrupts nothing; through this link it
 * cancels the run's thredo thread, whether the future is cancelled before the run starts or while it
 * runs.
 */
final class AsyncCall {

    /** The {@code MethodInvocation} user attribute that carries the call from one side to the other. */
    static final String ATTRIBUTE = AsyncCall.class.getName();

    private final String name;
    private final long submitter = Thread.currentThread().threadId(); // an id: the call must not keep the thread
    private volatile ThredoThread<?> thread;
    private volatile boolean cancelled;

    AsyncCall(String name) {
        this.name = name;
    }

    String name() {
        return name;
    }

    /** Whether {@code t} is the thread that made the call (an executor that runs tasks in the caller's thread). */
    boolean isSubmitter(Thread t) {
        return t.threadId() == submitter;
    }

    /** Links {@code future}: once it is cancelled, so is the run. */
    void linkTo(CompletableFuture<?> future) {
        future.whenComplete((value, failure) -> {
            if (failure instanceof CancellationException) {
                cancel();
            }
        });
    }

    /** Called by the run: the thredo thread that a cancel of the future cancels. */
    void runsIn(ThredoThread<?> t) {
        thread = t;
        if (cancelled) { // cancelled before the run got here
            t.requestCancel();
        }
    }

    void cancel() {
        cancelled = true;
        ThredoThread<?> t = thread;
        if (t != null) {
            t.requestCancel(); // false, and nothing done, once the run is over
        }
    }
}
