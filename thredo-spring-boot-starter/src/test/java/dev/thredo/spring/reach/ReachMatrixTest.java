package dev.thredo.spring.reach;

import static dev.thredo.testing.Elapsed.millisSince;
import static dev.thredo.testing.ProblemAssertions.assertProblem503Detail;
import static org.assertj.core.api.Assertions.assertThat;

import dev.thredo.Kernel;
import dev.thredo.ThreadInfo;
import dev.thredo.testing.KernelPolling;
import dev.thredo.spring.reach.ReachTestApp.Blocking;
import dev.thredo.testing.TestHttp;
import java.net.http.HttpResponse;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The reach matrix (DESIGN §4, rev. 2): a request timeout, a {@code @ThredoScoped(timeout)} and an HTTP cancel each end a
 * handler blocked in {@code Thread.sleep}, {@code HttpClient.send} or a thredo wait, on Boot's default
 * platform request threads and on virtual ones: the client gets its 503 problem within 1 s of the
 * deadline or cancel (never an empty reply), and no thread is left. The request timeout is 1 s, the
 * scoped timeout 500 ms, so the problem's detail tells which one ended the request.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ReachMatrixTest {
    private static final long REQUEST_TIMEOUT_MS = 1_000;
    private static final long SCOPED_TIMEOUT_MS = 500;
    /** The acceptance bound: the 503 within 1 s of the deadline or the cancel. */
    private static final long WITHIN_MS = 1_000;

    abstract static class Matrix {
        @LocalServerPort
        int port;

        @Autowired
        Kernel kernel;

        @ParameterizedTest
        @EnumSource(Blocking.class)
        void requestTimeoutAnswers503(Blocking call) throws Exception {
            assertDeadlineAnswers503("/reach/" + call, "The request exceeded its timeout of 1s.", REQUEST_TIMEOUT_MS);
        }

        @ParameterizedTest
        @EnumSource(Blocking.class)
        void scopedTimeoutAnswers503(Blocking call) throws Exception {
            assertDeadlineAnswers503("/reach-scoped/" + call, "The request exceeded a timeout of 500ms.", SCOPED_TIMEOUT_MS);
        }

        @ParameterizedTest
        @EnumSource(Blocking.class)
        void httpCancelAnswers503(Blocking call) throws Exception {
            String path = "/reach/" + call;
            CountDownLatch blocking = new CountDownLatch(1);
            ReachTestApp.ABOUT_TO_BLOCK.put(path, blocking);
            CompletableFuture<HttpResponse<String>> reply = TestHttp.localhost(port).getAsync(path);
            assertThat(blocking.await(10, TimeUnit.SECONDS)).as("the handler reached its call").isTrue();
            ThreadInfo request = kernel.threads().stream().filter(t -> t.name().equals("GET " + path)).findFirst().orElseThrow();
            long t0 = System.nanoTime();
            HttpResponse<String> cancel = TestHttp.localhost(port).post("/actuator/thredo/" + request.id() + "/cancel");
            assertThat(cancel.statusCode()).isEqualTo(202);
            HttpResponse<String> r = reply.get(10, TimeUnit.SECONDS);
            long ms = millisSince(t0);
            assertProblem503Detail(r, "The request was cancelled.", path);
            assertThat(ms).as("503 after the cancel").isLessThan(WITHIN_MS);
            KernelPolling.awaitNoThreads(kernel);
        }

        /**
         * A plain socket read: a virtual thread's is ended by the deadline's interrupt (the socket is
         * closed); a platform thread's ignores it and returns when the server answers, after the
         * deadline, and then the 503 goes out instead of the handler's answer (never an empty reply).
         */
        @org.junit.jupiter.api.Test
        void uninterruptibleCallStillAnswers503WhenItReturns() throws Exception {
            long t0 = System.nanoTime();
            HttpResponse<String> r = get("/reach-late-socket");
            long ms = millisSince(t0);
            assertProblem503Detail(r, "The request exceeded its timeout of 1s.", "/reach-late-socket");
            if (virtualRequestThreads()) {
                assertThat(ms).isBetween(REQUEST_TIMEOUT_MS - 50, REQUEST_TIMEOUT_MS + WITHIN_MS);
            } else {
                assertThat(ms).as("answered when the read returned").isGreaterThanOrEqualTo(ReachTestApp.LATE.toMillis() - 50);
            }
            KernelPolling.awaitNoThreads(kernel);
        }

        abstract boolean virtualRequestThreads();

        /** A GET of {@code path} answers the 503 problem with {@code detail} once its deadline has passed, and leaves no thread. */
        private void assertDeadlineAnswers503(String path, String detail, long deadlineMs) throws Exception {
            long t0 = System.nanoTime();
            HttpResponse<String> r = get(path);
            long ms = millisSince(t0);
            assertProblem503Detail(r, detail, path);
            assertThat(ms).as("503 after the " + deadlineMs + " ms deadline").isBetween(deadlineMs - 50, deadlineMs + WITHIN_MS);
            KernelPolling.awaitNoThreads(kernel);
        }

        private HttpResponse<String> get(String path) throws Exception {
            ReachTestApp.ABOUT_TO_BLOCK.remove(path);
            return TestHttp.localhost(port).get(path);
        }
    }

    @Nested
    @SpringBootTest(classes = ReachTestApp.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
            properties = {"thredo.web.request-timeout=1s", "reach.scoped-timeout=500ms",
                "management.endpoints.web.exposure.include=thredo", "management.endpoint.thredo.access=unrestricted",
                "spring.threads.virtual.enabled=false"})
    class PlatformRequestThreads extends Matrix {
        @Override
        boolean virtualRequestThreads() {
            return false;
        }
    }

    @Nested
    @SpringBootTest(classes = ReachTestApp.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
            properties = {"thredo.web.request-timeout=1s", "reach.scoped-timeout=500ms",
                "management.endpoints.web.exposure.include=thredo", "management.endpoint.thredo.access=unrestricted",
                "spring.threads.virtual.enabled=true"})
    class VirtualRequestThreads extends Matrix {
        @Override
        boolean virtualRequestThreads() {
            return true;
        }
    }
}
