package dev.thredo;

import dev.thredo.internal.CancelActionControl;
import dev.thredo.internal.ThreadControl;
import java.util.Optional;

/**
 * A cancel action registered by {@link Thredo#onCancel} for the span of one blocking call that an
 * interrupt cannot end, or would end destructively: a JDBC statement ({@code Statement::cancel}), a
 * platform thread's blocking socket read (closing the socket), a child process (destroying it).
 *
 * <p>While the registration is open, a cancellation of the thread, or an expired deadline of one of
 * its {@link Thredo#timeoutAfter} scopes, runs the action <em>instead of</em> interrupting the thread:
 * <ul>
 *   <li>on another thread, so the canceller never blocks on it;</li>
 *   <li>at most once, and never after {@link #close()} has returned: {@code close} of a running
 *       action waits until it has finished, so the action never touches a resource that its call has
 *       given back;</li>
 *   <li>not for a cancellation held back by a {@linkplain Thredo#shield shield} (deadlines set inside
 *       the shield do run it).</li>
 * </ul>
 * When the registration closes, what is still pending reaches the thread as usual: its next thredo
 * blocking point throws, its interrupt flag is set again for later JDK calls (or an enclosing
 * registration's action runs). The call the action ended typically fails with its own exception
 * (an {@code SQLException}, a {@code SocketException}); the enclosing {@code timeoutAfter} scope turns
 * that into {@link ThreadTimeout} if a deadline ran the action, and code that knows the call may
 * throw the pending cancellation itself ({@link Thredo#checkCancellation()}).
 *
 * <pre>{@code
 * try (CancelAction onCancel = Thredo.onCancel(statement::cancel)) {
 *     return statement.executeQuery();
 * }
 * }</pre>
 *
 * <p>Registrations nest: the innermost open one is run, and closing it makes the enclosing one
 * current again. They must be closed innermost first, by the thread that opened them. The action
 * should be short: closing a registration whose action runs waits for it.
 */
public final class CancelAction implements AutoCloseable {
    private final ThreadControl owner;
    private final CancelActionControl control;
    private boolean closed;

    CancelAction(ThreadControl owner, CancelActionControl control) {
        this.owner = owner;
        this.control = control;
    }

    /**
     * {@return whether the action ran (or is running): a cancellation or an expired deadline came
     * during the span} Always {@code false} for a registration made outside a thredo thread. After
     * {@link #close()}, final: the call's failure can then be told from a failure of its own.
     */
    public boolean hasRun() {
        return control != null && control.hasRun();
    }

    /**
     * {@return what the action threw, if it ran and failed} Empty while it has not run, or is still
     * running; final after {@link #close()}.
     */
    public Optional<Throwable> failure() {
        return control == null ? Optional.empty() : Optional.ofNullable(control.failure());
    }

    /**
     * Ends the span: the action will not run any more; if it is running, waits until it has finished
     * (this wait cannot be cancelled). Idempotent.
     *
     * @throws IllegalStateException if called by another thread than the one that registered it, or
     *     while a registration opened after this one is still open
     */
    @Override
    public void close() {
        if (closed || control == null) {
            return;
        }
        if (ThreadControl.current() != owner) {
            throw new IllegalStateException("a cancel action must be closed by the thread that registered it");
        }
        owner.closeCancelAction(control);
        closed = true;
    }

    @Override
    public String toString() {
        return "CancelAction[" + (control == null ? "inert" : closed ? "closed" : hasRun() ? "ran" : "open") + "]";
    }

    static CancelAction open(String call, VoidBody<? extends Exception> action) {
        ThreadControl self = ThreadControl.current();
        if (self == null) {
            return new CancelAction(null, null); // nothing thredo can cancel: the action never runs
        }
        return new CancelAction(self, self.openCancelAction(call, action::run));
    }
}
