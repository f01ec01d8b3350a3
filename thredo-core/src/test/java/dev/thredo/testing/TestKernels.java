package dev.thredo.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.thredo.Kernel;
import java.util.List;

/** A fresh kernel per test body, checked to be left with no live thread. */
public final class TestKernels {

    private TestKernels() {
    }

    /** A test body run as the main thread of a kernel, given that kernel. */
    @FunctionalInterface
    public interface KernelBody {
        /** The test's steps; anything thrown fails the test unchanged. */
        void run(Kernel k) throws Exception;
    }

    /**
     * Runs {@code body} as the main thread of a fresh kernel, then fails the test if the kernel still
     * lists a live thread or counts one, and closes the kernel.
     */
    public static void inKernel(KernelBody body) throws Exception {
        try (Kernel k = Kernel.create()) {
            k.run(() -> {
                body.run(k);
                return null;
            });
            assertEquals(List.of(), k.threads(), "threads left alive");
            assertEquals(0, k.stats().live(), "threads counted live");
        }
    }
}
