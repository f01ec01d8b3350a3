package dev.thredo;

import java.util.List;

/**
 * Thrown by {@link ThredoGroup#join()} and {@link ThredoGroup#results()} when members ended
 * {@link Outcome#FAILED}. The cause is the first failure (in the order the members ended); the
 * others are attached as suppressed exceptions.
 */
public class GroupFailed extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient List<ThredoThread<?>> failures;

    /**
     * Creates the exception for the given failed members.
     *
     * @param message the detail message, naming the group
     * @param failures the members that ended {@link Outcome#FAILED}, in the order they ended; at least
     *     one, each ended (their exceptions become the cause and the suppressed exceptions)
     * @throws IndexOutOfBoundsException if {@code failures} is empty
     * @throws IllegalStateException if a member in {@code failures} has not ended by throwing
     */
    public GroupFailed(String message, List<ThredoThread<?>> failures) {
        super(message, failures.get(0).exceptionNow());
        this.failures = List.copyOf(failures);
        for (int i = 1; i < this.failures.size(); i++) {
            addSuppressed(this.failures.get(i).exceptionNow());
        }
    }

    /**
     * {@return the failed members, in the order they ended; an unmodifiable list} Not serialized: empty
     * in a deserialized copy.
     */
    public List<ThredoThread<?>> failures() {
        return failures;
    }
}
