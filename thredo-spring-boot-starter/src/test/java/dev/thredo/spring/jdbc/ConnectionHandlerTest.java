package dev.thredo.spring.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.thredo.Kernel;
import dev.thredo.Outcome;
import dev.thredo.ThreadCancelled;
import dev.thredo.Thredo;
import dev.thredo.ThredoThread;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The connection's own calls in a thredo thread, against {@link StubJdbc}: cleanup runs even in a
 * cancelled thread and without its interrupt; {@code commit} is a delivery point, and a cancel that
 * arrives during it waits until it has returned. Each on a virtual-thread and a platform-thread kernel.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ConnectionHandlerTest {
    private final StubJdbc stub = new StubJdbc();
    private final DataSource dataSource = ThredoDataSource.wrap(new StubJdbc.StubDataSource(stub));

    @ParameterizedTest(name = "virtual={0}")
    @ValueSource(booleans = {true, false})
    void cleanupRunsInACancelledThreadWithoutItsInterrupt(boolean virtual) throws Exception {
        try (Kernel kernel = StatementHandlerTest.kernel(virtual)) {
            ThredoThread<List<String>> t = kernel.spawn(() -> {
                Connection c = dataSource.getConnection();
                c.setAutoCommit(false);
                Thredo.current().requestCancel();
                awaitInterrupt();
                List<String> seen = new ArrayList<>();
                c.rollback();
                c.setAutoCommit(true);
                c.close();
                seen.add("interrupted after=" + Thread.currentThread().isInterrupted());
                seen.add("commit=" + catchThrowable(c::commit).getClass().getSimpleName());
                return seen;
            });
            t.await();
            assertThat(t.resultNow()).containsExactly("interrupted after=true", "commit=ThreadCancelled");
        }
        assertThat(stub.connectionCalls()).containsExactly("Connection.setAutoCommit", "Connection.rollback",
                "Connection.setAutoCommit", "Connection.close");
        assertThat(stub.interruptedIn).isEmpty();
    }

    @ParameterizedTest(name = "virtual={0}")
    @ValueSource(booleans = {true, false})
    void aCancelDuringCommitWaitsUntilItHasReturned(boolean virtual) throws Exception {
        CountDownLatch inCommit = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        List<String> interruptedInCommit = new ArrayList<>();
        stub.onConnectionCall = method -> {
            if (method.equals("commit")) {
                inCommit.countDown();
                while (release.getCount() > 0) {
                    if (Thread.currentThread().isInterrupted()) {
                        interruptedInCommit.add("interrupted");
                        break;
                    }
                    Thread.onSpinWait();
                }
            }
            return null;
        };
        try (Kernel kernel = StatementHandlerTest.kernel(virtual)) {
            ThredoThread<Object> t = kernel.spawn(() -> {
                try (Connection c = dataSource.getConnection()) {
                    c.commit();
                    stub.calls.add("committed");
                    Thredo.checkCancellation();
                    return null;
                }
            });
            assertThat(inCommit.await(10, TimeUnit.SECONDS)).isTrue();
            t.requestCancel();
            Thread.sleep(100);
            release.countDown();
            t.await();
            assertThat(t.outcome()).isEqualTo(Outcome.CANCELLED);
            assertThat(t.exceptionNow()).isInstanceOf(ThreadCancelled.class);
        }
        assertThat(interruptedInCommit).isEmpty();
        assertThat(stub.calls).containsSubsequence("Connection.commit", "committed", "Connection.close");
        assertThat(stub.interruptedIn).isEmpty();
    }

    private static void awaitInterrupt() {
        long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!Thread.currentThread().isInterrupted()) {
            if (System.nanoTime() - giveUp > 0) {
                throw new AssertionError("the cancellation's interrupt never came");
            }
            Thread.onSpinWait();
        }
    }
}
