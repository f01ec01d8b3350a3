package dev.thredo.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The live-thread registry: after any order of adds and removes it holds exactly the blocks added
 * and not yet removed, each once, found by id, listed lowest ids first; a listing racing adds and
 * removes lists every block that stays registered throughout exactly once.
 */
class RegistryTest {

    private static ThreadControl block(long id) {
        return new ThreadControl(null, id, "t" + id, false, 0, null, null, null);
    }

    private static List<Long> ids(Iterable<ThreadControl> blocks) {
        List<Long> out = new ArrayList<>();
        for (ThreadControl t : blocks) {
            out.add(t.id());
        }
        return out;
    }

    @RepeatedTest(5)
    void holdsExactlyTheBlocksAddedAndNotRemovedInAnyOrder() {
        Registry registry = new Registry(Long.MAX_VALUE);
        Random random = new Random();
        TreeMap<Long, ThreadControl> live = new TreeMap<>();
        List<ThreadControl> added = new ArrayList<>();
        long nextId = 1;
        // Grow past several doublings of every stripe, shrink to a few, grow again: removals from
        // the middle, the end and twice over.
        for (int target : new int[] {5_000, 20, 3_000, 0}) {
            while (live.size() != target) {
                if (live.size() < target) {
                    ThreadControl t = block(nextId++);
                    registry.add(t);
                    live.put(t.id(), t);
                    added.add(t);
                } else {
                    ThreadControl t = added.get(random.nextInt(added.size()));
                    registry.remove(t); // a block removed before is a no-op
                    live.remove(t.id());
                }
            }
            assertEquals(live.size(), registry.size());
            List<Long> all = ids(registry.all());
            Collections.sort(all);
            assertEquals(new ArrayList<>(live.keySet()), all);
            for (ThreadControl t : added) {
                if (live.containsKey(t.id())) {
                    assertSame(t, registry.get(t.id()));
                } else {
                    assertNull(registry.get(t.id()));
                }
            }
            List<Long> lowest = new ArrayList<>(live.keySet()).subList(0, Math.min(10, live.size()));
            assertEquals(lowest, ids(registry.select(t -> true, 10)));
        }
    }

    @Test
    void selectFiltersAndKeepsTheLowestIds() {
        Registry registry = new Registry(Long.MAX_VALUE);
        for (long id = 1; id <= 1_000; id++) {
            registry.add(block(id));
        }
        assertEquals(List.of(7L, 14L, 21L), ids(registry.select(t -> t.id() % 7 == 0, 3)));
        assertEquals(List.of(), ids(registry.select(t -> false, 3)));
    }

    /**
     * Threads add and remove blocks of their own while listings run: a block registered before the
     * listing starts and removed only after it ends is listed exactly once, and no block is listed
     * twice, while the others are linked in and out around it.
     */
    @RepeatedTest(5)
    @Timeout(60)
    void aListingRacingAddsAndRemovesListsEveryStayingBlockOnce() throws InterruptedException {
        Registry registry = new Registry(Long.MAX_VALUE);
        List<ThreadControl> staying = new ArrayList<>();
        for (long id = 1; id <= 2_000; id++) {
            ThreadControl t = block(id);
            registry.add(t);
            staying.add(t);
        }
        Set<Long> stayingIds = new HashSet<>(ids(staying));
        int churners = 4;
        AtomicLong nextId = new AtomicLong(1_000_000);
        AtomicBoolean stop = new AtomicBoolean();
        CountDownLatch churning = new CountDownLatch(churners);
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < churners; c++) {
            threads.add(Thread.ofPlatform().start(() -> {
                Random random = new Random();
                List<ThreadControl> mine = new ArrayList<>();
                churning.countDown();
                while (!stop.get()) {
                    if (mine.size() < 500 && (mine.isEmpty() || random.nextBoolean())) {
                        ThreadControl t = block(nextId.getAndIncrement());
                        registry.add(t);
                        mine.add(t);
                    } else {
                        registry.remove(mine.remove(random.nextInt(mine.size())));
                    }
                }
            }));
        }
        churning.await();
        ConcurrentLinkedQueue<String> wrong = new ConcurrentLinkedQueue<>();
        for (int listing = 0; listing < 300; listing++) {
            List<Long> listed = ids(registry.all());
            Set<Long> seen = new HashSet<>();
            for (long id : listed) {
                if (!seen.add(id)) {
                    wrong.add("listing " + listing + " has #" + id + " twice");
                }
            }
            if (!seen.containsAll(stayingIds)) {
                wrong.add("listing " + listing + " misses a block registered throughout");
            }
            List<Long> selected = ids(registry.select(t -> stayingIds.contains(t.id()), Integer.MAX_VALUE));
            if (!selected.equals(ids(staying))) {
                wrong.add("select " + listing + " did not list the staying blocks once each, in id order");
            }
        }
        stop.set(true);
        for (Thread t : threads) {
            t.join();
        }
        assertEquals(List.of(), new ArrayList<>(wrong));
    }
}
