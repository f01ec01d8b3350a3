package dev.thredo.internal;

import dev.thredo.ThredoGroup;

/**
 * What a thread knows of the group it belongs to, or owns: its identity for the registry, the
 * group itself, and where to report a member's end.
 */
public interface GroupLink {
    /** The group. */
    ThredoGroup group();

    /** The group's id, unique within its kernel. */
    long groupId();

    /** The group's name. */
    String groupName();

    /**
     * Called once by a member thread as it ends, before anyone can see it done: the group must run
     * {@code publishOutcome} (which makes the thread done) while holding the lock that guards its
     * bookkeeping, so that whoever sees the member done also sees the group's reaction to it. Must not
     * block.
     */
    void memberEnded(ThreadControl member, dev.thredo.Outcome outcome, Runnable publishOutcome);
}
