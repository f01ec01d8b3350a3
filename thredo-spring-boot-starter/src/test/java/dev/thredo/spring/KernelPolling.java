package dev.thredo.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.thredo.Kernel;
import dev.thredo.ThreadInfo;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

/** Bounded polling for the starter's tests: waits for a state to be reached, never a fixed sleep. */
public final class KernelPolling {
    /** How long any wait may take before the test fails. */
    public static final Duration BOUND = Duration.ofSeconds(10);

    private KernelPolling() {
    }

    /** Polls {@code condition} until it holds; fails after {@link #BOUND}. */
    public static void awaitUntil(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + BOUND.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                fail("timed out after " + BOUND + " waiting until " + what);
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail("interrupted waiting until " + what);
            }
        }
    }

    /** Polls the kernel until a live thread matches, and returns it. */
    public static ThreadInfo awaitThread(Kernel kernel, Predicate<ThreadInfo> match) {
        ThreadInfo[] found = new ThreadInfo[1];
        awaitUntil("a live thread matches", () -> {
            Optional<ThreadInfo> t = kernel.threads().stream().filter(match).findFirst();
            t.ifPresent(info -> found[0] = info);
            return t.isPresent();
        });
        return found[0];
    }

    /** Polls the kernel until it lists no live thread. */
    public static void awaitNoThreads(Kernel kernel) {
        List<ThreadInfo> live = kernel.threads();
        long deadline = System.nanoTime() + BOUND.toNanos();
        while (!live.isEmpty() && System.nanoTime() - deadline < 0) {
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            live = kernel.threads();
        }
        assertThat(live).as("live thredo threads").isEmpty();
    }
}
