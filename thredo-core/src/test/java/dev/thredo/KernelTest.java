package dev.thredo;

import static dev.thredo.testing.KernelPolling.awaitBlocked;
import static dev.thredo.testing.KernelPolling.awaitParked;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.thredo.testing.LogCapture;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The kernel: root spawns, the registry (listing, lookup, cancel by id, counters), adoption, close. */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class KernelTest {

    @Test
    void runReturnsMainsValueAndLeavesOtherThreadsAlone() throws Exception {
        try (Kernel k = Kernel.create()) {
            ThredoThread<Void> other = k.spawn("other", () -> Thredo.sleep(Duration.ofSeconds(30)));
            assertEquals("main", k.run(() -> Thredo.current().name()));
            assertFalse(other.isDone());
        }
    }

    @Test
    void listingShowsStateBlockedOnParentGroupDeadlineAndNoStack() throws Exception {
        try (Kernel k = Kernel.create()) {
            CountDownLatch ready = new CountDownLatch(1);
            AtomicReference<ThredoThread<?>> member = new AtomicReference<>();
            AtomicReference<ThredoGroup> group = new AtomicReference<>();
            ThredoThread<Void> owner = k.spawn("owner", () -> {
                try (ThredoGroup g = ThredoGroup.open("fanout", ThredoGroup.Wait.ALL)) {
                    group.set(g);
                    member.set(g.spawn("member", () -> Thredo.timeoutAfter(Duration.ofMinutes(5),
                            () -> Thredo.sleep(Duration.ofMinutes(1)))));
                    ready.countDown();
                    g.join();
                }
            });
            ready.await();
            ThredoThread<?> m = member.get();
            awaitBlocked(k, m.id(), "sleep");
            ThreadInfo info = k.threads(ThreadQuery.all().withNameContaining("member")).get(0);
            assertEquals(m.id(), info.id());
            assertEquals("member", info.name());
            assertEquals(ThreadInfo.State.BLOCKED, info.state());
            assertEquals("sleep", info.blockedOn());
            assertEquals(owner.id(), info.parentId());
            assertEquals(group.get().id(), info.groupId());
            assertEquals("fanout", info.groupName());
            assertFalse(info.daemon());
            assertTrue(info.virtual());
            assertNotNull(info.deadline());
            assertTrue(info.deadline().isAfter(Instant.now().plus(Duration.ofMinutes(4))));
            assertTrue(info.deadline().isBefore(Instant.now().plus(Duration.ofMinutes(6))));
            assertNull(info.cancelRequestedAt());
            assertFalse(info.stuck());
            assertTrue(info.stack().isEmpty(), "listings never walk stacks");
            assertFalse(info.startedAt().isAfter(Instant.now()));

            ThreadInfo ownerInfo = awaitBlocked(k, owner.id(), "ThredoGroup.join");
            assertEquals(0, ownerInfo.parentId());
            assertEquals(group.get().id(), ownerInfo.groupId(), "no member of a group: it shows the group it owns");
            assertEquals("fanout", ownerInfo.groupName());
            owner.cancel();
            assertTrue(m.isDone(), "the group's close cancelled its member");
        }
    }

    @Test
    void threadLookupAddsTheStackAndNamesTheJdkCall() throws Exception {
        try (Kernel k = Kernel.create()) {
            CountDownLatch started = new CountDownLatch(1);
            ThredoThread<Void> t = k.spawn("jdk-sleeper", () -> {
                started.countDown();
                try {
                    Thread.sleep(30_000);
                } catch (InterruptedException e) {
                    throw new ThreadCancelled("interrupted");
                }
            });
            started.await();
            assertTrue(awaitParked(t.thread()), "jdk-sleeper parked in Thread.sleep");
            ThreadInfo info = k.thread(t.id()).orElseThrow();
            assertEquals(ThreadInfo.State.BLOCKED, info.state());
            assertEquals("java.lang.Thread.sleep", info.blockedOn());
            assertFalse(info.stack().isEmpty());
            assertTrue(info.stack().stream().anyMatch(f -> f.getClassName().startsWith(KernelTest.class.getName())));
            ThreadInfo listed = k.threads(ThreadQuery.all().withNameContaining("jdk-sleeper")).get(0);
            assertEquals("JDK TIMED_WAITING", listed.blockedOn());
            t.cancel();
        }
    }

    @Test
    void cancelByIdIsNonBlockingAndFalseForUnknownOrEndedIds() throws Exception {
        try (Kernel k = Kernel.create()) {
            ThredoThread<Void> t = k.spawn(() -> Thredo.sleep(Duration.ofSeconds(30)));
            awaitBlocked(k, t.id(), "sleep");
            assertTrue(k.cancel(t.id()));
            t.await();
            assertEquals(Outcome.CANCELLED, t.outcome());
            assertFalse(k.cancel(t.id()), "ended");
            assertFalse(k.cancel(987_654_321L), "unknown");
            assertTrue(k.thread(t.id()).isEmpty(), "an ended thread has left the registry");
        }
    }

    @Test
    void cancellingThreadIsListedAsCancellingWithItsRequestTime() throws Exception {
        try (Kernel k = Kernel.create()) {
            CountDownLatch cancelled = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            ThredoThread<Object> t = k.spawn("cleanup", () -> {
                try {
                    Thredo.sleep(Duration.ofSeconds(30));
                } finally {
                    cancelled.countDown();
                    Thredo.shield(() -> release.await());
                }
                return null;
            });
            awaitBlocked(k, t.id(), "sleep");
            Instant before = Instant.now().minusMillis(1);
            t.requestCancel();
            cancelled.await();
            ThreadInfo info = k.thread(t.id()).orElseThrow();
            assertEquals(ThreadInfo.State.CANCELLING, info.state());
            assertNotNull(info.cancelRequestedAt());
            assertFalse(info.cancelRequestedAt().isBefore(before));
            release.countDown();
            t.await();
        }
    }

    @Test
    void queryByParentListsAThreadsLiveChildrenAndZeroTheRoots() throws Exception {
        try (Kernel k = Kernel.create()) {
            CountDownLatch spawned = new CountDownLatch(1);
            List<ThredoThread<?>> children = new ArrayList<>();
            ThredoThread<Void> parent = k.spawn("parent", () -> {
                for (int i = 0; i < 3; i++) {
                    children.add(Thredo.spawn("child-" + i, () -> Thredo.sleep(Duration.ofSeconds(30))));
                }
                spawned.countDown();
                Thredo.sleep(Duration.ofSeconds(30));
            });
            ThredoThread<Void> other = k.spawn("other", () -> Thredo.sleep(Duration.ofSeconds(30)));
            spawned.await();

            List<ThreadInfo> listed = k.threads(ThreadQuery.all().withParent(parent.id()));
            assertEquals(children.stream().map(ThredoThread::id).toList(), listed.stream().map(ThreadInfo::id).toList());
            assertTrue(listed.stream().allMatch(t -> t.parentId() == parent.id() && t.stack().isEmpty()));
            assertEquals(List.of(children.get(1).id()),
                    k.threads(ThreadQuery.all().withParent(parent.id()).withNameContaining("child-1")).stream()
                            .map(ThreadInfo::id).toList());
            assertEquals(List.of(parent.id(), other.id()),
                    k.threads(ThreadQuery.all().withParent(0)).stream().map(ThreadInfo::id).toList());
            assertTrue(k.threads(ThreadQuery.all().withParent(other.id())).isEmpty());

            parent.cancel(); // a parent's end leaves its children (root spawns have no group) alive and listed
            assertEquals(3, k.threads(ThreadQuery.all().withParent(parent.id())).size());
            children.forEach(ThredoThread::cancel);
            other.cancel();
        }
    }

    @Test
    void findLooksOneThreadUpWithoutItsStack() throws Exception {
        try (Kernel k = Kernel.create()) {
            ThredoThread<Void> sleeper = k.spawn("sleeper", () -> Thredo.sleep(Duration.ofSeconds(30)));
            awaitBlocked(k, sleeper.id(), "sleep");

            ThreadInfo found = k.find(sleeper.id()).orElseThrow();
            assertEquals(sleeper.id(), found.id());
            assertEquals("sleeper", found.name());
            assertEquals(ThreadInfo.State.BLOCKED, found.state());
            assertEquals("sleep", found.blockedOn());
            assertTrue(found.stack().isEmpty(), "no stack walked");
            assertFalse(k.thread(sleeper.id()).orElseThrow().stack().isEmpty(), "thread(id) has the stack");
            assertEquals(Optional.empty(), k.find(Long.MAX_VALUE));

            sleeper.cancel();
            assertEquals(Optional.empty(), k.find(sleeper.id()), "an ended thread is gone");
        }
    }

    @Test
    void theQueryWithoutParentIsTheFourComponentOne() {
        assertEquals(ThreadQuery.all(), new ThreadQuery(null, null, false, ThreadQuery.DEFAULT_LIMIT));
        assertNull(ThreadQuery.all().withNameContaining("x").parentId());
    }

    @Test
    void queryFiltersByStateNameAndLimitLowestIdsFirst() throws Exception {
        try (Kernel k = Kernel.create()) {
            CountDownLatch hold = new CountDownLatch(1);
            AtomicBoolean spin = new AtomicBoolean(true);
            List<ThredoThread<Void>> sleepers = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                sleepers.add(k.spawn("sleeper-" + i, () -> Thredo.sleep(Duration.ofSeconds(30))));
            }
            ThredoThread<Void> runner = k.spawn("runner", () -> {
                hold.countDown();
                while (spin.get()) {
                    Thread.onSpinWait();
                }
            });
            hold.await();
            for (ThredoThread<Void> s : sleepers) {
                awaitBlocked(k, s.id(), "sleep");
            }
            List<ThreadInfo> three = k.threads(ThreadQuery.all().withNameContaining("sleeper").withLimit(3));
            assertEquals(List.of(sleepers.get(0).id(), sleepers.get(1).id(), sleepers.get(2).id()),
                    three.stream().map(ThreadInfo::id).toList());
            assertEquals(10, k.threads(ThreadQuery.all().withState(ThreadInfo.State.BLOCKED)).size());
            List<ThreadInfo> running = k.threads(ThreadQuery.all().withState(ThreadInfo.State.RUNNING));
            assertEquals(List.of("runner"), running.stream().map(ThreadInfo::name).toList());
            assertEquals(11, k.threads().size());
            assertThrows(IllegalArgumentException.class, () -> ThreadQuery.all().withLimit(0));

            KernelStats stats = k.stats();
            assertEquals(11, stats.live());
            assertEquals(10, stats.blocked());
            assertEquals(1, stats.running());
            assertEquals(0, stats.cancelling());
            assertEquals(11, stats.spawned());
            spin.set(false);
            runner.join();
            sleepers.get(0).cancel();
            stats = k.stats();
            assertEquals(1, stats.succeeded());
            assertEquals(1, stats.cancelled());
            assertEquals(9, stats.live());
        }
    }

    @Test
    void countersCountEveryOutcome() throws Exception {
        try (Kernel k = Kernel.create()) {
            k.spawn(() -> 1).await();
            k.spawn(() -> {
                throw new IllegalStateException();
            }).await();
            ThredoThread<Void> c = k.spawn(() -> Thredo.sleep(Duration.ofSeconds(30)));
            c.cancel();
            KernelStats s = k.stats();
            assertEquals(3, s.spawned());
            assertEquals(1, s.succeeded());
            assertEquals(1, s.failed());
            assertEquals(1, s.cancelled());
            assertEquals(0, s.live());
        }
    }

    @Test
    void liveGroupsAreCounted() throws Exception {
        try (Kernel k = Kernel.create()) {
            k.run(() -> {
                try (ThredoGroup outer = ThredoGroup.open(); ThredoGroup inner = ThredoGroup.open()) {
                    assertEquals(2, k.stats().liveGroups());
                }
                assertEquals(0, k.stats().liveGroups());
                return null;
            });
        }
    }

    @Test
    void adoptedForeignThreadIsListedCancellableAndReleasedClean() throws Exception {
        try (Kernel k = Kernel.create()) {
            AtomicReference<Throwable> caught = new AtomicReference<>();
            AtomicReference<Boolean> interruptedAfter = new AtomicReference<>();
            AtomicReference<Long> id = new AtomicReference<>();
            CountDownLatch adopted = new CountDownLatch(1);
            Thread pooled = Thread.ofPlatform().name("http-nio-exec-1").start(() -> {
                try (Adoption a = k.adopt("GET /slow")) {
                    id.set(a.thread().id());
                    adopted.countDown();
                    try (ThredoGroup g = ThredoGroup.open()) {
                        g.spawn(() -> Thredo.sleep(Duration.ofSeconds(30)));
                        g.join();
                    }
                } catch (Throwable e) {
                    caught.set(e);
                }
                interruptedAfter.set(Thread.currentThread().isInterrupted());
            });
            adopted.await();
            ThreadInfo info = awaitBlocked(k, id.get(), "ThredoGroup.join");
            assertEquals("GET /slow", info.name());
            assertFalse(info.virtual());
            assertEquals(1, k.threads(ThreadQuery.all().withNameContaining("thredo-")).size(), "the member");
            assertTrue(k.cancel(id.get()));
            pooled.join(10_000);
            assertInstanceOf(ThreadCancelled.class, caught.get());
            assertFalse(interruptedAfter.get(), "a pooled thread goes back to its pool uninterrupted");
            assertTrue(k.threads().isEmpty());
            assertEquals(2, k.stats().spawned(), "the adopted thread and its member");
        }
    }

    @Test
    void adoptedThreadCanBeRenamedKeepingItsId() throws Exception {
        try (Kernel k = Kernel.create()) {
            Adoption a = k.adopt("task-1");
            long id = a.thread().id();
            a.rename("@Scheduled ReportJob.refresh");
            assertEquals("@Scheduled ReportJob.refresh", a.thread().name());
            assertEquals("@Scheduled ReportJob.refresh", k.thread(id).orElseThrow().name());
            assertEquals(1, k.threads(ThreadQuery.all().withNameContaining("ReportJob")).size());
            assertEquals(id, k.threads().get(0).id());
            a.close();
            assertThrows(IllegalStateException.class, () -> a.rename("late"));
            assertEquals(1, k.stats().spawned(), "a rename is not a new thread");
        }
    }

    @Test
    void adoptionRefusesAThredoThreadAndAClosedKernel() throws Exception {
        Kernel k = Kernel.create();
        k.run(() -> assertThrows(IllegalStateException.class, () -> k.adopt("again")));
        k.close();
        assertThrows(IllegalStateException.class, () -> k.adopt("late"));
        assertThrows(IllegalStateException.class, () -> k.spawn(() -> 1));
    }

    @Test
    void aRefusedAdoptionLeavesTheThreadAsItWas() throws Exception {
        Kernel closed = Kernel.create();
        closed.close();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread pooled = Thread.ofPlatform().name("http-nio-exec-2").start(() -> {
            try {
                assertThrows(IllegalStateException.class, () -> closed.adopt("GET /late"));
                assertThrows(IllegalStateException.class, Thredo::current, "not a thredo thread after the refusal");
                try (Kernel next = Kernel.create(); Adoption a = next.adopt("GET /next")) {
                    assertEquals("GET /next", Thredo.current().name(), "adoptable by another kernel");
                }
                assertFalse(Thread.currentThread().isInterrupted());
            } catch (Throwable e) {
                failure.set(e);
            }
        });
        pooled.join();
        if (failure.get() != null) {
            throw new AssertionError(failure.get());
        }
        assertTrue(closed.threads().isEmpty());
        assertEquals(0, closed.stats().spawned());
    }

    @Test
    void closeFromOneOfItsOwnThreadsIsRefused() throws Exception {
        try (Kernel k = Kernel.create()) {
            k.run(() -> assertThrows(IllegalStateException.class, k::close));
        }
    }

    @Test
    void closeGivesUpAfterTheGracePeriodOnAThreadThatIgnoresCancellation() throws Exception {
        Kernel k = Kernel.builder().shutdownGracePeriod(Duration.ofMillis(200)).stuckThreshold(Duration.ofMillis(50)).build();
        AtomicBoolean spin = new AtomicBoolean(true);
        CountDownLatch started = new CountDownLatch(1);
        ThredoThread<Void> stubborn = k.spawn("stubborn", () -> {
            started.countDown();
            while (spin.get()) {
                Thread.onSpinWait();
            }
        });
        started.await();
        long start = System.nanoTime();
        k.close();
        long took = System.nanoTime() - start;
        assertTrue(took >= Duration.ofMillis(200).toNanos(), "waited the grace period");
        assertTrue(took < Duration.ofSeconds(10).toNanos());
        assertFalse(stubborn.isDone());
        assertTrue(stubborn.isCancelled());
        long again = System.nanoTime();
        k.close(); // idempotent: the second close does not wait a second grace period
        assertTrue(System.nanoTime() - again < Duration.ofMillis(200).toNanos(), "the second close waited");
        spin.set(false);
        stubborn.await();
    }

    @Test
    void closeWith100000BlockedThreadsEndsThemAllAndListingStaysCheap() throws Exception {
        int n = 100_000;
        Kernel k = Kernel.create();
        CountDownLatch allBlocked = new CountDownLatch(n);
        for (int i = 0; i < n; i++) {
            String name = i % 1000 == 0 ? "needle-" + i : "hay-" + i;
            k.spawn(name, () -> {
                allBlocked.countDown();
                Thredo.sleep(Duration.ofHours(1));
            });
        }
        allBlocked.await();
        assertEquals(n, k.stats().live());

        long start = System.nanoTime();
        List<ThreadInfo> needles = k.threads(ThreadQuery.all().withNameContaining("needle").withLimit(100));
        long listing = System.nanoTime() - start;
        assertEquals(100, needles.size());
        assertTrue(needles.stream().allMatch(t -> t.stack().isEmpty()));
        assertTrue(listing < Duration.ofSeconds(2).toNanos(), "listing took " + listing / 1_000_000 + " ms");

        k.close();
        assertEquals(0, k.stats().live());
        assertEquals(n, k.stats().cancelled());
        assertTrue(k.threads().isEmpty());
    }

    @Test
    void threadLeavesTheRegistryBeforeJoinReturns() throws Exception {
        try (Kernel k = Kernel.create()) {
            for (int i = 0; i < 2000; i++) {
                ThredoThread<Integer> t = k.spawn(() -> 1);
                t.join();
                assertTrue(k.thread(t.id()).isEmpty());
            }
        }
    }

    @Test
    void builderRejectsBadSettings() {
        assertThrows(IllegalArgumentException.class, () -> Kernel.builder().stuckThreshold(Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> Kernel.builder().shutdownGracePeriod(Duration.ofSeconds(-1)));
        assertThrows(NullPointerException.class, () -> Kernel.builder().name(null));
    }

    @Test
    void listenersHearEveryStartAndEndWithTheCancelLatency() throws Exception {
        List<String> events = java.util.Collections.synchronizedList(new ArrayList<>());
        KernelListener listener = new KernelListener() {
            @Override
            public void threadStarted(ThredoThread<?> thread) {
                events.add("started " + thread.name());
            }

            @Override
            public void threadEnded(ThredoThread<?> thread, Outcome outcome, Duration cancelLatency) {
                events.add("ended " + thread.name() + " " + outcome + (cancelLatency == null ? "" : " after cancel"));
                if (cancelLatency != null && cancelLatency.isNegative()) {
                    events.add("negative latency");
                }
            }
        };
        KernelListener failing = new KernelListener() {
            @Override
            public void threadStarted(ThredoThread<?> thread) {
                throw new IllegalStateException("a broken listener must not break the kernel");
            }
        };
        try (Kernel k = Kernel.builder().listener(failing).listener(listener).build()) {
            k.spawn("quick", () -> 1).join();
            ThredoThread<Void> slow = k.spawn("slow", () -> Thredo.sleep(Duration.ofSeconds(30)));
            slow.cancel();
        }
        assertEquals(List.of("started quick", "ended quick SUCCEEDED", "started slow", "ended slow CANCELLED after cancel"), events);
    }

    @Test
    void aListenerThrowingFromThreadEndedDoesNotWedgeTheKernelAndIsReportedOnce() throws Exception {
        KernelListener assertsOnEnd = new KernelListener() {
            @Override
            public void threadEnded(ThredoThread<?> thread, Outcome outcome, Duration cancelLatency) {
                throw new AssertionError("a listener's assertion");
            }

            @Override
            public String toString() {
                return "assertsOnEnd";
            }
        };
        KernelListener cancelledOnEnd = new KernelListener() {
            @Override
            public void threadEnded(ThredoThread<?> thread, Outcome outcome, Duration cancelLatency) {
                throw new ThreadCancelled("a listener's own cancellation");
            }

            @Override
            public String toString() {
                return "cancelledOnEnd";
            }
        };
        List<String> heard = java.util.Collections.synchronizedList(new ArrayList<>());
        KernelListener later = new KernelListener() {
            @Override
            public void threadEnded(ThredoThread<?> thread, Outcome outcome, Duration cancelLatency) {
                heard.add(thread.name() + " " + outcome);
            }
        };
        List<String> log = warningsOf(() -> {
            try (Kernel k = Kernel.builder().listener(assertsOnEnd).listener(cancelledOnEnd).listener(later)
                    .shutdownGracePeriod(Duration.ofSeconds(1)).build()) {
                for (int i = 0; i < 3; i++) {
                    ThredoThread<Integer> t = k.spawn("t" + i, () -> 1);
                    assertEquals(1, org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(Duration.ofSeconds(5), t::join));
                    assertEquals(Outcome.SUCCEEDED, t.outcome());
                }
                assertEquals(List.of("t0 SUCCEEDED", "t1 SUCCEEDED", "t2 SUCCEEDED"), heard, "later listeners still hear");
                assertTrue(k.threads().isEmpty());
            }
        });
        assertEquals(1, log.stream().filter(l -> l.contains("assertsOnEnd")).count(), log::toString);
        assertEquals(1, log.stream().filter(l -> l.contains("cancelledOnEnd")).count(), log::toString);
    }

    @Test
    void aListenerThrowingFromThreadStartedDoesNotStopTheThread() throws Exception {
        KernelListener assertsOnStart = new KernelListener() {
            @Override
            public void threadStarted(ThredoThread<?> thread) {
                throw new AssertionError("a listener's assertion");
            }

            @Override
            public String toString() {
                return "assertsOnStart";
            }
        };
        List<String> log = warningsOf(() -> {
            try (Kernel k = Kernel.builder().listener(assertsOnStart).shutdownGracePeriod(Duration.ofSeconds(1)).build()) {
                assertEquals(1, k.spawn(() -> 1).join());
                assertEquals(2, k.spawn(() -> 2).join());
                assertTrue(k.threads().isEmpty());
                assertEquals(2, k.stats().succeeded());
            }
        });
        assertEquals(1, log.stream().filter(l -> l.contains("assertsOnStart")).count(), log::toString);
    }

    /** Runs {@code body} and returns what it made the core's logger (or anyone) log at WARN or ERROR. */
    private static List<String> warningsOf(org.junit.jupiter.api.function.Executable body) throws Exception {
        LogCapture log = LogCapture.attach();
        try {
            body.execute();
        } catch (Exception | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        } finally {
            log.detach();
        }
        return log.warnings();
    }

    @Test
    void adoptionEndedWithAFailureIsCountedCancelledOrFailed() throws Exception {
        try (Kernel k = Kernel.create()) {
            Adoption cancelled = k.adopt("cancelled request");
            ThredoThread<Void> t = cancelled.thread();
            t.requestCancel();
            Thread.interrupted(); // the cancel's interrupt may be on its way; the outcome does not depend on it
            cancelled.endWith(new ThreadCancelled("answered 503"));
            cancelled.close();
            assertEquals(Outcome.CANCELLED, t.outcome());

            Adoption failed = k.adopt("failed request");
            failed.endWith(new IllegalStateException("boom"));
            failed.close();
            assertEquals(Outcome.FAILED, failed.thread().outcome());
            assertEquals(1, k.stats().cancelled());
            assertEquals(1, k.stats().failed());
            assertFalse(Thread.currentThread().isInterrupted(), "released clean");
        }
    }
}
