/**
 * thredo: controllable threads for the JVM (cancellation at every blocking point, nestable
 * timeouts, thread groups with wait policies, cancellable synchronization, a registry of live
 * threads).
 *
 * <p>The API is {@code dev.thredo} and {@code dev.thredo.io}; nothing else is exported. The kernel's
 * parts ({@code dev.thredo.internal}) are public classes only so that the two API packages can
 * share them; on the module path they are not accessible, and on the class path they are not API
 * and change without notice. The module needs the JDK's {@code java.base} and SLF4J, which carries
 * the one warning the kernel logs (threads still alive when a kernel closes).
 */
module dev.thredo {
    requires org.slf4j;

    exports dev.thredo;
    exports dev.thredo.io;
}
