package dev.thredo;

/** Rethrowing what a thread or body threw, unchanged and unwrapped. */
final class Exceptions {
    private Exceptions() {
    }

    /** Throws {@code t} as itself, checked or not; declared to return so callers can write {@code throw}. */
    @SuppressWarnings("unchecked")
    static <E extends Throwable> RuntimeException rethrow(Throwable t) throws E {
        throw (E) t;
    }
}
