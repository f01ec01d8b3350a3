package dev.thredo;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * An immutable snapshot of one live thredo thread, as the kernel's registry lists it.
 *
 * <p>Snapshots are taken without stopping the thread, so the fields of one snapshot may be a few
 * microseconds apart.
 *
 * @param id the thread's id, unique within its kernel and never reused
 * @param name the thread's name
 * @param state {@link State#CANCELLING} once cancellation was requested; otherwise
 *     {@link State#BLOCKED} while it waits (in a thredo operation or a JDK blocking call), else
 *     {@link State#RUNNING}
 * @param blockedOn what it waits for: a thredo operation ({@code "sleep"}, {@code "join #12"},
 *     {@code "ThredoGroup.join"}, ...), for a JDK blocking call the JDK method it called (in
 *     {@link Kernel#thread(long)}) or {@code "JDK WAITING"}-style state in listings (which never walk
 *     stacks); {@code null} while running
 * @param parentId the id of the thread that spawned it, {@code 0} for a root thread
 * @param groupId the id of the {@link ThredoGroup} it is a member of; for a thread that is no
 *     group's member, the innermost open group it owns (a request thread shows its request group);
 *     {@code 0} if none
 * @param groupName the name of that group, {@code null} if none
 * @param daemon whether it is a daemon member of its group
 * @param virtual whether it runs on a virtual thread
 * @param startedAt when it was spawned (or adopted)
 * @param deadline its effective deadline, {@code null} if none
 * @param cancelRequestedAt when cancellation was requested, {@code null} if it was not
 * @param stuck whether it has ignored a cancellation for longer than the kernel's stuck threshold
 * @param stack its stack, top frame first; empty in listings, filled by {@link Kernel#thread(long)}
 */
public record ThreadInfo(
        long id,
        String name,
        State state,
        String blockedOn,
        long parentId,
        long groupId,
        String groupName,
        boolean daemon,
        boolean virtual,
        Instant startedAt,
        Instant deadline,
        Instant cancelRequestedAt,
        boolean stuck,
        List<StackTraceElement> stack) {

    /** The registry's view of a live thread's state. */
    public enum State {
        /** Running code, not waiting. */
        RUNNING,
        /** Waiting in a thredo operation or a JDK blocking call. */
        BLOCKED,
        /** Cancellation was requested and the thread has not ended yet. */
        CANCELLING
    }

    /**
     * Creates a snapshot; the kernel makes them, tests and adapters may too. {@code stack} is copied,
     * so the snapshot stays immutable.
     *
     * @throws NullPointerException if {@code stack} is {@code null} or holds {@code null}
     */
    public ThreadInfo {
        stack = List.copyOf(stack);
    }

    /** {@return how long the thread has been alive, from {@link #startedAt()} to now (wall clock)} */
    public Duration age() {
        return Duration.between(startedAt, Instant.now());
    }

    /**
     * {@return how long the thread has been ignoring its cancellation, from
     * {@link #cancelRequestedAt()} to now; {@link Duration#ZERO} if it was not asked to cancel}
     */
    public Duration cancelPendingFor() {
        return cancelRequestedAt == null ? Duration.ZERO : Duration.between(cancelRequestedAt, Instant.now());
    }
}
