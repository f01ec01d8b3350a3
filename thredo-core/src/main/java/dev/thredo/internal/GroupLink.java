package dev.thredo.internal;

/**
 * What a thread knows of the group it belongs to: its identity for the registry, and where to
 * report its end.
 */
public interface GroupLink {
    /** The group's id, unique within its kernel. */
    long groupId();

    /** The group's name. */
    String groupName();

    /**
     * Called once by a member thread after its outcome is published and its joiners are woken,
     * before the kernel counts it as ended. Must not block.
     */
    void memberEnded(ThreadControl member);
}
