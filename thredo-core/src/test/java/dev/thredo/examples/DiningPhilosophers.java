package dev.thredo.examples;

import dev.thredo.Event;
import dev.thredo.Lock;
import dev.thredo.ThreadCancelled;
import dev.thredo.ThreadTimeout;
import dev.thredo.Thredo;
import dev.thredo.ThredoThread;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Five philosophers, five forks (thredo {@link Lock}s), and the classic deadlock: everybody holds
 * their left fork and waits for their right one. The main thread notices with a timeout and breaks
 * the deadlock by cancelling one philosopher, whose {@code finally} puts their fork down
 * (thredo's {@code examples/euro/ex5}). A {@code java.util.concurrent} lock could not be
 * un-stuck like this: {@code lock()} ignores interrupts.
 */
public final class DiningPhilosophers {
    private DiningPhilosophers() {
    }

    /** Every philosopher (ended by now), who was cancelled, and whether the timeout fired. */
    public record Result(List<ThredoThread<Void>> philosophers, int victim, boolean deadlocked, int meals) {
    }

    static void philosopher(int n, Lock left, Lock right, AtomicInteger seated, int count, Event allSeated,
                            Duration eating, AtomicInteger meals) {
        left.lock();
        try {
            System.out.println("philosopher " + n + " has the left fork");
            // Wait until everybody holds their left fork, so the deadlock is certain rather than a
            // matter of luck (the original waited a random time instead).
            if (seated.incrementAndGet() == count) {
                allSeated.set();
            }
            allSeated.await();
            right.lock(); // everybody blocks here: a cancellable wait
            try {
                System.out.println("philosopher " + n + " eats");
                Thredo.sleep(eating);
                meals.incrementAndGet();
            } finally {
                right.unlock();
            }
        } catch (ThreadCancelled e) {
            System.out.println("philosopher " + n + " was cancelled");
            throw e;
        } finally {
            left.unlock(); // unlock() never blocks, so it works while unwinding a cancel
        }
    }

    public static Result run(int count, Duration patience, Duration eating, Random random) throws Exception {
        return Thredo.run(() -> {
            List<Lock> forks = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                forks.add(new Lock());
            }
            AtomicInteger seated = new AtomicInteger();
            AtomicInteger meals = new AtomicInteger();
            Event allSeated = new Event();
            List<ThredoThread<Void>> philosophers = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                int n = i;
                Lock left = forks.get(n);
                Lock right = forks.get((n + 1) % count);
                philosophers.add(Thredo.spawn("philosopher-" + n,
                        () -> philosopher(n, left, right, seated, count, allSeated, eating, meals)));
            }

            // Wait until every philosopher holds a fork, so whoever we cancel below has one to give
            // back (a philosopher cancelled before sitting down would leave the others waiting for
            // them at the table forever).
            allSeated.await();
            int victim = -1;
            boolean deadlocked = false;
            try {
                // A deadline over a whole block of waits: no single call needs its own timeout.
                Thredo.timeoutAfter(patience, () -> {
                    for (ThredoThread<Void> p : philosophers) {
                        p.await();
                    }
                });
            } catch (ThreadTimeout e) {
                deadlocked = true;
                victim = random.nextInt(count);
                System.out.println("Deadlock! Cancelling philosopher " + victim);
                // The victim's fork goes to the neighbour waiting on it, who eats, puts both forks
                // down, and so on around the table.
                philosophers.get(victim).cancel();
                for (ThredoThread<Void> p : philosophers) {
                    p.await();
                }
            }
            System.out.println(meals.get() + " meals eaten");
            return new Result(philosophers, victim, deadlocked, meals.get());
        });
    }

    public static void main(String[] args) throws Exception {
        run(5, Duration.ofSeconds(2), Duration.ofMillis(500), new Random());
    }
}
