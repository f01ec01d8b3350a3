package dev.thredo.internal;

import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every kernel of this JVM that is not yet garbage-collected, closed or not: the one place where a
 * tool finds threads and groups that no caller handed it (the test suite's leak guard).
 *
 * <p>Kernels are held weakly, so an unreachable kernel is forgotten as the collector clears it; a
 * closed kernel is kept as long as it is reachable, because threads that ignored their
 * cancellation past the close's grace period still live in its registry. Adding costs one weak
 * reference and one concurrent-set insert per kernel; spawning and ending threads do not touch
 * this class.
 */
public final class LiveKernels {
    private static final Set<Reference<KernelCore>> KERNELS = ConcurrentHashMap.newKeySet();
    private static final ReferenceQueue<KernelCore> CLEARED = new ReferenceQueue<>();

    private LiveKernels() {
    }

    /** Records a new kernel; called once, at the end of its construction. */
    static void add(KernelCore kernel) {
        expungeCleared();
        KERNELS.add(new WeakReference<>(kernel, CLEARED));
    }

    /** The kernels not yet collected, in no particular order (weakly consistent with concurrent creation). */
    public static List<KernelCore> snapshot() {
        expungeCleared();
        List<KernelCore> out = new ArrayList<>(KERNELS.size());
        for (Reference<KernelCore> ref : KERNELS) {
            KernelCore kernel = ref.get();
            if (kernel != null) {
                out.add(kernel);
            }
        }
        return out;
    }

    private static void expungeCleared() {
        for (Reference<? extends KernelCore> ref; (ref = CLEARED.poll()) != null;) {
            KERNELS.remove(ref);
        }
    }
}
