package dev.thredo.spring.web;

import static dev.thredo.testing.Elapsed.millisSince;
import static dev.thredo.testing.KernelPolling.awaitNoThreads;
import static dev.thredo.testing.KernelPolling.awaitThread;
import static dev.thredo.testing.Polling.until;
import static dev.thredo.testing.ProblemAssertions.assertProblem503Detail;
import static org.assertj.core.api.Assertions.assertThat;

import dev.thredo.Kernel;
import dev.thredo.Outcome;
import dev.thredo.ThreadInfo;
import dev.thredo.testing.Disconnects;
import dev.thredo.testing.KernelPolling;
import dev.thredo.testing.RawHttp;
import dev.thredo.spring.web.AsyncTestApp.Kind;
import dev.thredo.testing.TestHttp;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * Spring MVC's async handlers ({@code Callable}, {@code WebAsyncTask}, {@code DeferredResult},
 * {@code CompletableFuture}) under the request integration, over real HTTP, on Boot's default platform
 * request threads and on virtual ones: the async part runs as a thredo thread of the request's group,
 * named like the request; the request timeout and an HTTP cancel of that thread end it with the 503
 * problem within 1 s; a client that leaves has it cancelled; nothing of the request is left when it
 * completes. Without a request timeout, Spring MVC's own async timeout answers as Spring defines.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class MvcAsyncTest {
    private static final long REQUEST_TIMEOUT_MS = 1_000;
    /**
     * How soon after the deadline or the cancel the 503 must come: generous (the handlers would run
     * for 30 s), so that it catches an answer that never comes, not a slow machine; the latencies
     * themselves are printed below and measured in thredo-bench.
     */
    private static final long WITHIN_MS = 5_000;
    /** Measured latencies, printed once per context: deadline → 503 and cancel → 503, per kind. */
    private static final Map<String, List<Long>> LATENCIES = new ConcurrentHashMap<>();

    /** What every context serves alike: an async part that ends within any timeout answers 200 and leaves nothing. */
    abstract static class Served {
        @LocalServerPort
        int port;

        @Autowired
        Kernel kernel;

        @ParameterizedTest
        @EnumSource(Kind.class)
        void anAsyncPartAnswers200(Kind kind) throws Exception {
            HttpResponse<String> r = TestHttp.localhost(port).get(kind.path + "?ms=50");

            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            assertThat(r.body()).isEqualTo(kind.path + " 50");
            awaitNoThreads(kernel);
        }
    }

    abstract static class WithRequestTimeout extends Served {
        @Autowired
        MeterRegistry registry;

        @Autowired
        AsyncTestApp.AsyncController controller;

        @ParameterizedTest
        @EnumSource(Kind.class)
        void theRequestTimeoutEndsTheAsyncPartWith503(Kind kind) throws Exception {
            warmUp(port, kind);
            long t0 = System.nanoTime();
            HttpResponse<String> r = TestHttp.localhost(port).get(kind.path);
            long ms = millisSince(t0);

            assertProblem503Detail(r, "The request exceeded its timeout of 1s.", kind.path);
            assertThat(ms).as("503 after the 1 s deadline").isBetween(REQUEST_TIMEOUT_MS - 50, REQUEST_TIMEOUT_MS + WITHIN_MS);
            record(getClass(), "deadline→503 " + kind, ms - REQUEST_TIMEOUT_MS);
            awaitNoThreads(kernel);
        }

        @ParameterizedTest
        @EnumSource(Kind.class)
        void anHttpCancelOfTheRequestsThreadEndsTheAsyncPartWith503(Kind kind) throws Exception {
            CompletableFuture<HttpResponse<String>> reply = startPending(kind);
            ThreadInfo async = asyncThread(kind);
            assertThat(async.groupName()).as("a member of the request's group").isEqualTo("GET " + kind.path);
            if (kind == Kind.DEFERRED_RESULT || kind == Kind.COMPLETABLE_FUTURE) {
                assertThat(async.blockedOn()).isEqualTo("DeferredResult");
            }

            long t0 = System.nanoTime();
            HttpResponse<String> cancel = TestHttp.localhost(port).post("/actuator/thredo/" + async.id() + "/cancel");
            assertThat(cancel.statusCode()).isEqualTo(202);
            HttpResponse<String> r = reply.get(10, TimeUnit.SECONDS);
            long ms = millisSince(t0);

            assertProblem503Detail(r, "The request was cancelled.", kind.path);
            assertThat(ms).as("503 after the cancel").isLessThan(WITHIN_MS);
            record(getClass(), "cancel→503 " + kind, ms);
            awaitNoThreads(kernel);
        }

        @ParameterizedTest
        @EnumSource(Kind.class)
        void aClientThatLeavesHasTheAsyncPartCancelled(Kind kind) throws Exception {
            double before = Disconnects.count(registry);
            AsyncTestApp.PENDING.remove(kind.path);
            CountDownLatch pending = AsyncTestApp.pending(kind.path);
            RawHttp client = RawHttp.connect(port).send(RawHttp.get(kind.path));
            assertThat(pending.await(10, TimeUnit.SECONDS)).as("the async part began").isTrue();
            ThreadInfo async = asyncThread(kind);
            Thread.sleep(TomcatClientDisconnects.TICK_MILLIS * 3); // the watch is registered within two ticks

            long closed = System.nanoTime();
            client.close();
            long nanos = KernelPolling.awaitGone(kernel, async.id(), closed);

            assertThat(nanos).as("close → async thread gone").isLessThan(TimeUnit.SECONDS.toNanos(1));
            until("the disconnect is counted",
                    () -> Disconnects.count(registry) == before + 1);
            record(getClass(), "disconnect→gone " + kind, nanos / 1_000_000);
            awaitNoThreads(kernel);
        }

        @ParameterizedTest
        @EnumSource(value = Kind.class, names = {"CALLABLE", "WEB_ASYNC_TASK"})
        void aCallableRunsAsTheRequestsThreadUnderItsDeadline(Kind kind) throws Exception {
            String path = "/async/where/" + kind.path.substring("/async/".length());
            HttpResponse<String> r = TestHttp.localhost(port).get(path);

            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("GET " + path + "|deadline true");
            awaitNoThreads(kernel);
        }

        @Test
        void servletAsyncStartedByTheHandlerItselfCompletesAndLeavesNothing() throws Exception {
            HttpResponse<String> r = TestHttp.localhost(port).get("/async/raw");

            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("raw");
            awaitNoThreads(kernel); // and the LeakGuard: the request's group was closed
        }

        @Test
        void requestThreadsGoBackToTheirPoolUninterrupted() throws Exception {
            for (Kind kind : Kind.values()) {
                CompletableFuture<HttpResponse<String>> reply = startPending(kind);
                assertThat(kernel.cancel(asyncThread(kind).id())).isTrue();
                assertThat(reply.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(503);
                assertThat(TestHttp.localhost(port).get(kind.path + "?ms=1").statusCode()).isEqualTo(200);
            }
            for (int i = 0; i < 20; i++) {
                HttpResponse<String> r = TestHttp.localhost(port).get("/async/sync");
                assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            }
            awaitNoThreads(kernel);
        }

        @Test
        void theRequestsGroupOutlivesTheHandlerAndIsClosedWhenTheRequestCompletes() throws Exception {
            HttpResponse<String> r = TestHttp.localhost(port).get("/async/with-member");

            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("from the member");
            awaitNoThreads(kernel);
            assertThat(controller.lastMember.get().outcome()).isEqualTo(Outcome.CANCELLED);
        }

        /** Finds the request's async thread: named like the request, spawned by it (the request thread itself is a root). */
        ThreadInfo asyncThread(Kind kind) {
            return awaitThread(kernel, t -> t.name().equals("GET " + kind.path) && t.parentId() != 0
                    && (t.blockedOn() != null));
        }

        CompletableFuture<HttpResponse<String>> startPending(Kind kind) throws Exception {
            warmUp(port, kind);
            AsyncTestApp.PENDING.remove(kind.path);
            CountDownLatch pending = AsyncTestApp.pending(kind.path);
            CompletableFuture<HttpResponse<String>> reply = TestHttp.localhost(port).getAsync(kind.path);
            assertThat(pending.await(10, TimeUnit.SECONDS)).as("the async part began").isTrue();
            return reply;
        }

        @AfterAll
        static void printLatencies() {
            LATENCIES.forEach((what, ms) -> System.out.println("MvcAsyncTest " + what + " (ms): " + ms));
            LATENCIES.clear();
        }
    }

    /** Without a thredo request timeout: Spring MVC's async timeout ends the request, as Spring defines (503, no problem body of ours). */
    abstract static class WithSpringAsyncTimeoutOnly extends Served {
        @ParameterizedTest
        @EnumSource(Kind.class)
        void springsAsyncTimeoutStillAnswers(Kind kind) throws Exception {
            warmUp(port, kind);
            long t0 = System.nanoTime();
            HttpResponse<String> r = TestHttp.localhost(port).get(kind.path);
            long ms = millisSince(t0);

            assertThat(r.statusCode()).as(r.body()).isEqualTo(503);
            assertThat(r.body()).doesNotContain("The request was cancelled.");
            assertThat(ms).isBetween(450L, 500L + WITHIN_MS);
            awaitNoThreads(kernel);
        }
    }

    /** One quick request of {@code kind} first: a context's first requests pay for class loading and the servlet's start. */
    static void warmUp(int port, Kind kind) throws Exception {
        assertThat(TestHttp.localhost(port).get(kind.path + "?ms=1").statusCode()).isEqualTo(200);
    }

    static void record(Class<?> test, String what, long ms) {
        LATENCIES.computeIfAbsent(test.getSimpleName() + " " + what, k -> new ArrayList<>()).add(ms);
    }

    @Nested
    @SpringBootTest(classes = AsyncTestApp.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
            properties = {"thredo.web.request-timeout=1s",
                "management.endpoints.web.exposure.include=thredo", "management.endpoint.thredo.access=unrestricted",
                "spring.threads.virtual.enabled=false"})
    class PlatformRequestThreads extends WithRequestTimeout {
    }

    @Nested
    @SpringBootTest(classes = AsyncTestApp.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
            properties = {"thredo.web.request-timeout=1s",
                "management.endpoints.web.exposure.include=thredo", "management.endpoint.thredo.access=unrestricted",
                "spring.threads.virtual.enabled=true"})
    class VirtualRequestThreads extends WithRequestTimeout {
    }

    @Nested
    @SpringBootTest(classes = AsyncTestApp.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
            properties = {"spring.mvc.async.request-timeout=500ms", "spring.threads.virtual.enabled=false"})
    class SpringAsyncTimeoutPlatformRequestThreads extends WithSpringAsyncTimeoutOnly {
    }

    @Nested
    @SpringBootTest(classes = AsyncTestApp.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
            properties = {"spring.mvc.async.request-timeout=500ms", "spring.threads.virtual.enabled=true"})
    class SpringAsyncTimeoutVirtualRequestThreads extends WithSpringAsyncTimeoutOnly {
    }
}
