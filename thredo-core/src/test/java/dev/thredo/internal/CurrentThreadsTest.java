package dev.thredo.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The table behind {@link ThreadControl#current()}: each thread finds exactly its own entry, while others attach, detach and rebuild. */
class CurrentThreadsTest {

    private static ThreadControl controlOfCallingThread(long id) {
        ThreadControl c = new ThreadControl(null, id, "t" + id, false, 0, null, null, null);
        c.bindThread(Thread.currentThread());
        return c;
    }

    @Test
    void aThreadFindsItsEntryOnlyWhileAttached() {
        CurrentThreads table = new CurrentThreads();
        assertNull(table.get(Thread.currentThread()));
        ThreadControl c = controlOfCallingThread(1);
        table.attach(c);
        assertSame(c, table.get(Thread.currentThread()));
        table.detach(c);
        assertNull(table.get(Thread.currentThread()));
        ThreadControl again = controlOfCallingThread(2);
        table.attach(again);
        assertSame(again, table.get(Thread.currentThread()), "attached again, after a detach");
        table.detach(again);
        assertNull(table.get(Thread.currentThread()));
    }

    /**
     * Thousands of threads attach and detach at once, so that every stripe grows several times and
     * is rebuilt over its detached slots while others look up their entries without a lock.
     */
    @RepeatedTest(5)
    @Timeout(60)
    void concurrentThreadsEachSeeOnlyTheirOwnEntryThroughRebuilds() throws InterruptedException {
        CurrentThreads table = new CurrentThreads();
        int threads = 4_000;
        int rounds = 20;
        CountDownLatch start = new CountDownLatch(1);
        ConcurrentLinkedQueue<String> wrong = new ConcurrentLinkedQueue<>();
        List<Thread> all = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            long base = (long) t * rounds;
            all.add(Thread.ofVirtual().start(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    wrong.add("interrupted");
                    return;
                }
                Thread self = Thread.currentThread();
                for (int r = 0; r < rounds; r++) {
                    if (table.get(self) != null) {
                        wrong.add(self + " found an entry before attaching, round " + r);
                    }
                    ThreadControl c = controlOfCallingThread(base + r);
                    table.attach(c);
                    for (int k = 0; k < 3; k++) {
                        if (table.get(self) != c) {
                            wrong.add(self + " lost its entry, round " + r);
                        }
                        Thread.yield(); // let the others attach, detach and rebuild meanwhile
                    }
                    table.detach(c);
                    if (table.get(self) != null) {
                        wrong.add(self + " still found its entry after detaching, round " + r);
                    }
                }
            }));
        }
        start.countDown();
        for (Thread t : all) {
            if (!t.join(java.time.Duration.ofSeconds(50))) {
                wrong.add(t + " did not finish");
            }
        }
        assertEquals(List.of(), new ArrayList<>(wrong));
    }
}
