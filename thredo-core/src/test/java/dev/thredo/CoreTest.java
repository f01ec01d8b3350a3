package dev.thredo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** thredo's test_core, ported, and the contract of {@link Thredo#run}, spawn and {@link ThredoThread}. */
@Timeout(value = 20, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class CoreTest {

    // ---- test_core.py ----

    @Test
    void runReturnsMainsValue() throws Exception {
        assertEquals(4, Thredo.run(() -> 2 + 2));
    }

    @Test
    void runRethrowsMainsExceptionUnwrapped() {
        IllegalArgumentException thrown = new IllegalArgumentException("bad");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Thredo.run(() -> {
            throw thrown;
        }));
        assertSame(thrown, e);
    }

    @Test
    void runRethrowsCheckedExceptionAsItself() {
        IOException e = assertThrows(IOException.class, () -> Thredo.run(() -> {
            throw new IOException("disk");
        }));
        assertEquals("disk", e.getMessage());
    }

    @Test
    void joinReturnsSpawnedThreadsValue() throws Exception {
        assertEquals(4, Thredo.run(() -> Thredo.spawn(() -> 2 + 2).join()));
    }

    @Test
    void joinOfFailedThreadThrowsThreadFailedWithCause() throws Exception {
        Thredo.run(() -> {
            ThredoThread<Object> t = Thredo.spawn(() -> {
                throw new ArithmeticException("/ by zero");
            });
            ThreadFailed e = assertThrows(ThreadFailed.class, t::join);
            assertInstanceOf(ArithmeticException.class, e.getCause());
            assertEquals(Outcome.FAILED, t.outcome());
            return null;
        });
    }

    @Test
    void sleepTakesAtLeastItsDuration() throws Exception {
        long start = System.nanoTime();
        Thredo.run(() -> {
            Thredo.sleep(Duration.ofMillis(300));
            return null;
        });
        assertTrue(System.nanoTime() - start >= Duration.ofMillis(300).toNanos());
    }

    @Test
    void cancelledSleeperGetsThreadCancelled() throws Exception {
        Thredo.run(() -> {
            CountDownLatch sleeping = new CountDownLatch(1);
            AtomicReference<Throwable> caught = new AtomicReference<>();
            ThredoThread<Void> child = Thredo.spawn(() -> {
                sleeping.countDown();
                try {
                    Thredo.sleep(Duration.ofSeconds(10));
                } catch (ThreadCancelled e) {
                    caught.set(e);
                    throw e;
                }
            });
            sleeping.await();
            child.cancel();
            assertInstanceOf(ThreadCancelled.class, caught.get());
            assertEquals(Outcome.CANCELLED, child.outcome());
            return null;
        });
    }

    // ---- spawn and current ----

    @Test
    void spawnOutsideAKernelSaysHowToGetOne() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Thredo.spawn(() -> 1));
        assertTrue(e.getMessage().contains("Thredo.run"), e.getMessage());
        assertThrows(IllegalStateException.class, Thredo::current);
    }

    @Test
    void spawnedThreadsHaveUniqueIdsNamesAndAreVirtual() throws Exception {
        Thredo.run(() -> {
            ThredoThread<Void> named = Thredo.spawn("worker", () -> { });
            ThredoThread<Integer> unnamed = Thredo.spawn(() -> 1);
            named.join();
            unnamed.join();
            assertEquals("worker", named.name());
            assertEquals("worker", named.thread().getName());
            assertTrue(named.thread().isVirtual());
            assertFalse(named.isDaemon());
            assertTrue(unnamed.id() != named.id());
            assertEquals("thredo-" + unnamed.id(), unnamed.name());
            return null;
        });
    }

    @Test
    void idsAreNeverReused() throws Exception {
        Thredo.run(() -> {
            Set<Long> ids = new HashSet<>();
            for (int i = 0; i < 1000; i++) {
                ThredoThread<Void> t = Thredo.spawn(() -> { });
                t.join();
                assertTrue(ids.add(t.id()));
            }
            return null;
        });
    }

    @Test
    void currentIsTheCallingThread() throws Exception {
        Thredo.run(() -> {
            AtomicReference<ThredoThread<?>> seen = new AtomicReference<>();
            ThredoThread<Void> t = Thredo.spawn(() -> seen.set(Thredo.current()));
            t.join();
            assertSame(t, seen.get());
            assertEquals("main", Thredo.current().name());
            return null;
        });
    }

    @Test
    void currentIfAnyIsTheCallingThreadOrEmptyWithoutThrowing() throws Exception {
        assertSame(java.util.Optional.empty(), Thredo.currentIfAny(), "outside: the shared empty, nothing allocated");
        Thredo.run(() -> {
            AtomicReference<java.util.Optional<ThredoThread<?>>> seen = new AtomicReference<>();
            ThredoThread<Void> t = Thredo.spawn(() -> seen.set(Thredo.currentIfAny()));
            t.join();
            assertSame(t, seen.get().orElseThrow());
            assertSame(Thredo.current(), Thredo.currentIfAny().orElseThrow());
            return null;
        });
        try (Kernel k = Kernel.create(); Adoption a = k.adopt("adopted")) {
            assertSame(a.thread(), Thredo.currentIfAny().orElseThrow());
        }
        assertTrue(Thredo.currentIfAny().isEmpty(), "released");
    }

    @Test
    void platformThreadKernelRunsPlatformThreads() throws Exception {
        try (Kernel k = Kernel.builder().platformThreads().build()) {
            assertFalse(k.run(() -> Thread.currentThread().isVirtual()));
        }
    }

    // ---- ThredoThread ----

    @Test
    void awaitNeverThrowsTheThreadsException() throws Exception {
        Thredo.run(() -> {
            ThredoThread<Object> t = Thredo.spawn(() -> {
                throw new IllegalStateException("x");
            });
            t.await();
            assertTrue(t.isDone());
            assertInstanceOf(IllegalStateException.class, t.exceptionNow());
            return null;
        });
    }

    @Test
    void resultNowAndExceptionNowRefuseTheWrongState() throws Exception {
        Thredo.run(() -> {
            CountDownLatch release = new CountDownLatch(1);
            ThredoThread<Integer> t = Thredo.spawn(() -> {
                release.await();
                return 7;
            });
            assertEquals(Outcome.RUNNING, t.outcome());
            assertThrows(IllegalStateException.class, t::resultNow);
            assertThrows(IllegalStateException.class, t::exceptionNow);
            release.countDown();
            assertEquals(7, t.join());
            assertEquals(7, t.resultNow());
            assertThrows(IllegalStateException.class, t::exceptionNow);
            return null;
        });
    }

    @Test
    void cancelOfFinishedThreadIsANoOp() throws Exception {
        Thredo.run(() -> {
            ThredoThread<Integer> t = Thredo.spawn(() -> 1);
            t.join();
            assertFalse(t.requestCancel());
            t.cancel();
            assertFalse(t.isCancelled());
            assertEquals(Outcome.SUCCEEDED, t.outcome());
            return null;
        });
    }

    @Test
    void threadThatSwallowsCancellationAndReturnsSucceeded() throws Exception {
        Thredo.run(() -> {
            ThredoThread<String> t = Thredo.spawn(() -> {
                try {
                    Thredo.sleep(Duration.ofSeconds(10));
                    return "slept";
                } catch (ThreadCancelled e) {
                    return "swallowed";
                }
            });
            t.cancel();
            assertEquals("swallowed", t.join());
            assertEquals(Outcome.SUCCEEDED, t.outcome());
            assertTrue(t.isCancelled());
            return null;
        });
    }

    @Test
    void pendingCancellationIsDeliveredAtFirstBlockingPoint() throws Exception {
        Thredo.run(() -> {
            CountDownLatch cancelled = new CountDownLatch(1);
            AtomicReference<String> progress = new AtomicReference<>("start");
            ThredoThread<Void> t = Thredo.spawn(() -> {
                try {
                    cancelled.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                progress.set("computed"); // not a blocking point: keeps running
                Thredo.sleep(Duration.ZERO);
                progress.set("after sleep");
            });
            assertTrue(t.requestCancel());
            cancelled.countDown();
            t.await();
            assertEquals("computed", progress.get());
            assertEquals(Outcome.CANCELLED, t.outcome());
            return null;
        });
    }

    @Test
    void threadThatNeverBlocksFinishesNormallyDespiteCancel() throws Exception {
        Thredo.run(() -> {
            java.util.concurrent.atomic.AtomicBoolean go = new java.util.concurrent.atomic.AtomicBoolean();
            ThredoThread<Long> spin = Thredo.spawn(() -> {
                while (!go.get()) {
                    Thread.onSpinWait(); // computing, never blocking
                }
                long sum = 0;
                for (int i = 0; i < 1_000_000; i++) {
                    sum += i;
                }
                return sum;
            });
            assertTrue(spin.requestCancel());
            go.set(true);
            spin.await();
            assertTrue(spin.isCancelled());
            assertEquals(Outcome.SUCCEEDED, spin.outcome());
            assertEquals(499_999_500_000L, spin.join());
            return null;
        });
    }

    @Test
    void checkCancellationThrowsInCpuLoop() throws Exception {
        Thredo.run(() -> {
            CountDownLatch started = new CountDownLatch(1);
            ThredoThread<Void> loop = Thredo.spawn(() -> {
                started.countDown();
                while (true) {
                    Thredo.checkCancellation();
                    Thread.onSpinWait();
                }
            });
            started.await();
            loop.cancel();
            assertEquals(Outcome.CANCELLED, loop.outcome());
            assertInstanceOf(ThreadCancelled.class, loop.exceptionNow());
            return null;
        });
    }

    @Test
    void cancelWaitsUntilTheThreadHasEnded() throws Exception {
        Thredo.run(() -> {
            List<String> events = new ArrayList<>();
            ThredoThread<Void> t = Thredo.spawn(() -> {
                try {
                    Thredo.sleep(Duration.ofSeconds(10));
                } finally {
                    Thredo.shield(() -> Thredo.sleep(Duration.ofMillis(50)));
                    synchronized (events) {
                        events.add("cleanup done");
                    }
                }
            });
            t.cancel();
            synchronized (events) {
                events.add("cancel returned");
            }
            assertEquals(List.of("cleanup done", "cancel returned"), events);
            return null;
        });
    }

    @Test
    void joinOfSelfIsRefused() throws Exception {
        Thredo.run(() -> {
            assertThrows(IllegalStateException.class, () -> Thredo.current().join());
            return null;
        });
    }

    @Test
    void joinOfCancelledThreadThrowsThreadFailedCausedByThreadCancelled() throws Exception {
        Thredo.run(() -> {
            ThredoThread<Void> t = Thredo.spawn(() -> Thredo.sleep(Duration.ofSeconds(10)));
            t.cancel();
            ThreadFailed e = assertThrows(ThreadFailed.class, t::join);
            assertInstanceOf(ThreadCancelled.class, e.getCause());
            return null;
        });
    }

    @Test
    void waitingJoinerCanItselfBeCancelled() throws Exception {
        Thredo.run(() -> {
            ThredoThread<Void> sleeper = Thredo.spawn(() -> Thredo.sleep(Duration.ofSeconds(10)));
            ThredoThread<Void> joiner = Thredo.spawn(() -> {
                sleeper.join();
            });
            joiner.cancel();
            assertEquals(Outcome.CANCELLED, joiner.outcome());
            assertFalse(sleeper.isDone());
            sleeper.cancel();
            return null;
        });
    }

    @Test
    void runCancelsThreadsStillAliveWhenMainReturns() throws Exception {
        AtomicReference<ThredoThread<Void>> left = new AtomicReference<>();
        Thredo.run(() -> {
            left.set(Thredo.spawn(() -> Thredo.sleep(Duration.ofDays(1))));
            return null;
        });
        assertTrue(left.get().isDone());
        assertEquals(Outcome.CANCELLED, left.get().outcome());
    }

    @Test
    void interruptFromOutsideIsACancellationRequest() throws Exception {
        Thredo.run(() -> {
            CountDownLatch sleeping = new CountDownLatch(1);
            ThredoThread<Void> t = Thredo.spawn(() -> {
                sleeping.countDown();
                Thredo.sleep(Duration.ofSeconds(10));
            });
            sleeping.await();
            t.thread().interrupt();
            t.await();
            assertTrue(t.isCancelled());
            assertEquals(Outcome.CANCELLED, t.outcome());
            return null;
        });
    }

    @Test
    void threadEndingInWrappedInterruptAfterCancelIsCancelled() throws Exception {
        Thredo.run(() -> {
            CountDownLatch started = new CountDownLatch(1);
            ThredoThread<Void> t = Thredo.spawn(() -> {
                started.countDown();
                try {
                    Thread.sleep(10_000);
                } catch (InterruptedException e) {
                    throw new RuntimeException("wrapped", e);
                }
            });
            started.await();
            t.requestCancel();
            t.await();
            assertEquals(Outcome.CANCELLED, t.outcome());
            assertInstanceOf(RuntimeException.class, t.exceptionNow());
            return null;
        });
    }

    @Test
    void threadTimeoutEscapingOwnScopeIsFailedNotCancelled() throws Exception {
        Thredo.run(() -> {
            ThredoThread<Void> t = Thredo.spawn(() -> Thredo.timeoutAfter(Duration.ofMillis(10),
                    () -> Thredo.sleep(Duration.ofSeconds(10))));
            t.await();
            assertEquals(Outcome.FAILED, t.outcome());
            assertInstanceOf(ThreadTimeout.class, t.exceptionNow());
            assertFalse(t.isCancelled());
            return null;
        });
    }

    @Test
    void sleepOutsideThredoEndsByInterruptWithThreadCancelled() throws Exception {
        AtomicReference<Throwable> caught = new AtomicReference<>();
        AtomicReference<Boolean> flag = new AtomicReference<>();
        CountDownLatch ready = new CountDownLatch(1);
        Thread plain = Thread.ofPlatform().start(() -> {
            ready.countDown();
            try {
                Thredo.sleep(Duration.ofSeconds(10));
            } catch (Throwable e) {
                caught.set(e);
                flag.set(Thread.currentThread().isInterrupted());
            }
        });
        ready.await();
        plain.interrupt();
        plain.join(5_000);
        assertInstanceOf(ThreadCancelled.class, caught.get());
        assertTrue(flag.get(), "the interrupt flag stays set");
    }

    /**
     * The race behind a once-flaky run of the test above: an interrupt arriving between a foreign
     * thread's cancellation check and its park was cleared, and the sleep ran its full time. Rounds
     * interrupt at moving offsets; every sleep must end at once.
     */
    @Test
    void interruptRacingAForeignThreadsSleepIsNeverSwallowed() throws Exception {
        int rounds = Stress.size(2_000, 50_000);
        long start = System.nanoTime();
        int slow = 0;
        for (int round = 0; round < rounds; round++) {
            CountDownLatch ready = new CountDownLatch(1);
            long[] took = new long[1];
            Thread plain = Thread.ofPlatform().start(() -> {
                ready.countDown();
                long t0 = System.nanoTime();
                try {
                    Thredo.sleep(Duration.ofSeconds(10));
                } catch (ThreadCancelled expected) {
                    // the interrupt ended it
                }
                took[0] = System.nanoTime() - t0;
            });
            ready.await();
            Stress.spin((round % 50) * 100L);
            plain.interrupt();
            plain.join();
            if (took[0] > TimeUnit.SECONDS.toNanos(5)) {
                slow++;
            }
        }
        Stress.report("foreign sleep vs interrupt", "rounds=" + rounds + " slept_on=" + slow, slow, start);
        assertEquals(0, slow, "sleeps that ignored their interrupt");
    }

    @Test
    void joinAfterEndSeesEverythingTheThreadDid() throws Exception {
        Thredo.run(() -> {
            for (int round = 0; round < 2000; round++) {
                int[] box = new int[1];
                ThredoThread<Void> t = Thredo.spawn(() -> {
                    box[0] = 42;
                });
                t.join();
                assertEquals(42, box[0]);
            }
            return null;
        });
    }

    @Test
    void cancelRacingCompletionGivesExactlyOneConsistentOutcome() throws Exception {
        Thredo.run(() -> {
            for (int round = 0; round < 5000; round++) {
                ThredoThread<Integer> t = Thredo.spawn(() -> {
                    Thredo.sleep(Duration.ZERO);
                    return 1;
                });
                boolean requested = t.requestCancel();
                t.await();
                Outcome o = t.outcome();
                if (o == Outcome.SUCCEEDED) {
                    assertEquals(1, t.join());
                } else {
                    assertEquals(Outcome.CANCELLED, o);
                    assertTrue(requested);
                    ThreadFailed e = assertThrows(ThreadFailed.class, t::join);
                    assertInstanceOf(ThreadCancelled.class, e.getCause());
                }
            }
            return null;
        });
    }
}
