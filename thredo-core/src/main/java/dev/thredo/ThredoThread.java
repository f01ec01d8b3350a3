package dev.thredo;

import dev.thredo.internal.Parking;
import dev.thredo.internal.ThreadControl;

/**
 * A thread owned by a thredo {@link Kernel}: a real {@link Thread} (virtual unless the kernel says
 * otherwise) whose thredo blocking operations can be cancelled and timed out.
 *
 * <h2>Life cycle</h2>
 * A thread is {@link Outcome#RUNNING} until its body returns ({@link Outcome#SUCCEEDED}) or throws
 * ({@link Outcome#FAILED}, or {@link Outcome#CANCELLED} if cancellation had been requested). Its
 * outcome never changes afterwards. A thread leaves its kernel's registry before {@link #join()} and
 * {@link #await()} return.
 *
 * <h2>Cancellation</h2>
 * {@link #requestCancel()} marks the thread cancelled and returns at once; the thread gets
 * {@link ThreadCancelled} at its next thredo blocking operation and at every one after it
 * (level-triggered), and is interrupted so that JDK blocking calls end too. {@link #cancel()}
 * requests and then waits for the thread to end. An interrupt of the thread from anyone is taken as
 * a cancellation request.
 *
 * <h2>Memory effects</h2>
 * Actions of the thread happen-before a return from {@link #join()} or {@link #await()}, and before
 * {@link #isDone()} returns {@code true}.
 *
 * @param <T> the result type of the thread's body
 */
public final class ThredoThread<T> {
    private final ThreadControl control;

    private ThredoThread(ThreadControl control) {
        this.control = control;
    }

    /** The public view of {@code control}. */
    @SuppressWarnings("unchecked")
    static <T> ThredoThread<T> of(ThreadControl control) {
        return (ThredoThread<T>) control.facade(ThredoThread::new);
    }

    ThreadControl control() {
        return control;
    }

    /** {@return the thread's id: unique within its kernel and never reused} */
    public long id() {
        return control.id();
    }

    /**
     * {@return the thread's name; not necessarily unique} For a spawned thread, also the name of its
     * {@link #thread()}; an adopted thread keeps its JDK name.
     */
    public String name() {
        return control.name();
    }

    /**
     * {@return whether it is a daemon member of its {@link ThredoGroup}} Daemon members never count
     * for the group's wait policy and are cancelled when it joins or closes; a thread spawned outside
     * a group is never a daemon.
     */
    public boolean isDaemon() {
        return control.isDaemon();
    }

    /**
     * {@return the JDK thread it runs on} A virtual thread unless its kernel was built for platform
     * threads; for an adopted thread, the thread that adopted itself.
     */
    public Thread thread() {
        return control.thread();
    }

    /**
     * Waits for the thread to end and returns its value.
     *
     * <p>Blocks (a cancellable wait: a delivery point for the caller's own cancellation and
     * deadlines).
     *
     * @return the value the thread's body returned ({@code null} for a {@code Runnable})
     * @throws ThreadFailed if the thread threw; its cause is what it threw (a {@link ThreadCancelled}
     *     if it let a cancellation escape)
     * @throws ThreadCancelled if the caller is cancelled or times out while waiting
     * @throws IllegalStateException if a thread joins itself
     */
    @SuppressWarnings("unchecked")
    public T join() {
        control.awaitTermination(Parking.Mode.CANCELLABLE);
        if (control.outcome() == Outcome.SUCCEEDED) {
            return (T) control.result();
        }
        String how = control.outcome() == Outcome.CANCELLED ? " was cancelled" : " failed";
        throw new ThreadFailed("thredo thread #" + id() + " (" + name() + ")" + how, control.exception());
    }

    /**
     * Waits for the thread to end; never throws the thread's own exception.
     *
     * @throws ThreadCancelled if the caller is cancelled or times out while waiting
     */
    public void await() {
        control.awaitTermination(Parking.Mode.CANCELLABLE);
    }

    /**
     * Requests cancellation and waits until the thread has ended. A no-op on an ended thread. A
     * thread that swallows its cancellation and never blocks in thredo again keeps this waiting.
     *
     * @throws ThreadCancelled if the caller is cancelled or times out while waiting (the request
     *     stands)
     */
    public void cancel() {
        control.requestCancel();
        control.awaitTermination(Parking.Mode.CANCELLABLE);
    }

    /**
     * Requests cancellation and returns at once. Never blocks, not even when the thread sits in a
     * JDK call whose interrupt blocks the interrupter: the interrupt is delivered from another
     * thread.
     *
     * @return {@code false} if the thread had already ended
     */
    public boolean requestCancel() {
        return control.requestCancel();
    }

    /** {@return whether the thread has ended} Its outcome is then final. */
    public boolean isDone() {
        return control.isDone();
    }

    /** {@return whether cancellation was requested (by a cancel or an interrupt), whatever the outcome} */
    public boolean isCancelled() {
        return control.isCancelRequested();
    }

    /** {@return how the thread ended, or {@link Outcome#RUNNING} while it runs} */
    public Outcome outcome() {
        return control.outcome();
    }

    /**
     * The value of a {@link Outcome#SUCCEEDED} thread, without waiting.
     *
     * @return the value the thread's body returned ({@code null} for a {@code Runnable})
     * @throws IllegalStateException if the thread has not succeeded
     */
    @SuppressWarnings("unchecked")
    public T resultNow() {
        if (control.outcome() != Outcome.SUCCEEDED) {
            throw new IllegalStateException("thredo thread #" + id() + " has not succeeded: " + outcome());
        }
        return (T) control.result();
    }

    /**
     * What a {@link Outcome#FAILED} or {@link Outcome#CANCELLED} thread threw, without waiting.
     *
     * @return the throwable that ended the thread's body, never {@code null}
     * @throws IllegalStateException if the thread is running or succeeded
     */
    public Throwable exceptionNow() {
        Outcome o = control.outcome();
        if (o != Outcome.FAILED && o != Outcome.CANCELLED) {
            throw new IllegalStateException("thredo thread #" + id() + " did not throw: " + o);
        }
        return control.exception();
    }

    @Override
    public String toString() {
        return "ThredoThread[#" + id() + " " + name() + " " + outcome() + (isCancelled() ? " cancel-requested" : "") + "]";
    }
}
