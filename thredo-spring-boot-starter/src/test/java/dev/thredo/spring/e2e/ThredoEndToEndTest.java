package dev.thredo.spring.e2e;

import static dev.thredo.testing.Polling.until;

import static org.assertj.core.api.Assertions.assertThat;

import dev.thredo.Event;
import dev.thredo.Kernel;
import dev.thredo.ThredoThread;
import dev.thredo.spring.ThredoAutoConfiguration;
import dev.thredo.testing.Json;
import dev.thredo.testing.ProblemAssertions;
import dev.thredo.testing.TestHttp;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import tools.jackson.databind.JsonNode;

/**
 * The starter end to end, over real HTTP: a blocked request seen and cancelled through the actuator
 * endpoint, a {@code @ThredoScoped} scheduled job seen while it blocks, and the kernel's bounded
 * shutdown.
 */
@SpringBootTest(classes = EndToEndApp.class, webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
        "management.endpoints.web.exposure.include=thredo,health",
        "management.endpoint.thredo.access=unrestricted",
        "thredo.web.request-timeout=5s",
        "spring.task.scheduling.thread-name-prefix=e2e-scheduling-",
        "logging.pattern.level=%5p [mdc:%X{requestId}]" })
@org.junit.jupiter.api.extension.ExtendWith(org.springframework.boot.test.system.OutputCaptureExtension.class)
@DirtiesContext // the scheduled job must not keep running while later test classes run
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ThredoEndToEndTest {
    private static final Duration BOUND = Duration.ofSeconds(10);
    private static final String BLOCK_NAME = "GET /e2e/block";
    private static final String BLOCK_QUERY = "/actuator/thredo?name=GET%20/e2e/block";

    @LocalServerPort
    int port;

    private TestHttp http;

    @Autowired
    Kernel kernel;

    @Autowired
    EndToEndApp.BlockingController controller;

    @Autowired
    EndToEndApp.JobControl jobControl;

    @Test
    void mdcSetInTheHandlerIsSeenInAMembersLogLines(org.springframework.boot.test.system.CapturedOutput output) {
        HttpResponse<String> reply = http.get("/e2e/mdc");
        assertThat(reply.statusCode()).isEqualTo(200);
        assertThat(reply.body()).isEqualTo("r-77");
        assertThat(output.getOut().lines().filter(line -> line.contains("member says hello")))
                .singleElement().asString().contains("[mdc:r-77]");
    }

    @BeforeEach
    void freshGates() {
        http = TestHttp.localhost(port);
        controller.release = new Event();
        jobControl.nextGate.set(null);
    }

    @AfterEach
    void releaseEverything() {
        controller.release.set();
        Event gate = jobControl.nextGate.getAndSet(null);
        if (gate != null) {
            gate.set();
        }
        until("no request or member thread is left", () -> kernel.threads().stream()
                .noneMatch(t -> t.name().equals(BLOCK_NAME) || t.name().equals(EndToEndApp.MEMBER_NAME)));
    }

    @Test
    void aBlockedRequestIsListedWithItsStateDeadlineGroupAndStack() throws Exception {
        Instant sent = Instant.now();
        CompletableFuture<HttpResponse<String>> response = http.getAsync("/e2e/block");
        JsonNode request = awaitListedBlocked(BLOCK_QUERY);
        long requestId = request.get("id").asLong();

        assertThat(request.get("name").asString()).isEqualTo(BLOCK_NAME);
        assertThat(request.get("state").asString()).isEqualTo("BLOCKED");
        assertThat(request.get("blockedOn").isNull()).as("blockedOn").isFalse();
        assertThat(request.get("blockedOn").asString()).isEqualTo("Event.await");
        assertThat(request.get("deadline").isNull()).as("deadline").isFalse();
        assertThat(request.get("groupName").asString()).as("the request group it owns").isEqualTo(BLOCK_NAME);
        // The deadline is the request timeout (5s) from when the filter took the request, which lies
        // between sending it and now; the slack covers the kernel's nanoTime-to-Instant conversion.
        assertThat(Instant.parse(request.get("deadline").asString()))
                .isAfterOrEqualTo(sent.plusSeconds(5).minusMillis(500))
                .isBeforeOrEqualTo(Instant.now().plusSeconds(5).plusMillis(500));

        JsonNode member = awaitListedBlocked("/actuator/thredo?name=" + EndToEndApp.MEMBER_NAME);
        assertThat(member.get("groupName").asString()).isEqualTo(BLOCK_NAME);
        assertThat(member.get("groupId").asLong()).isPositive().isEqualTo(request.get("groupId").asLong());
        assertThat(member.get("parentId").asLong()).isEqualTo(requestId);

        HttpResponse<String> detail = http.get("/actuator/thredo/" + requestId);
        assertThat(detail.statusCode()).isEqualTo(200);
        JsonNode json = Json.of(detail);
        assertThat(json.get("name").asString()).isEqualTo(BLOCK_NAME);
        assertThat(json.get("stack")).isNotEmpty();
        assertThat(StreamSupport.stream(json.get("stack").spliterator(), false)
                .map(f -> f.get("className").asString()))
                .contains(EndToEndApp.BlockingController.class.getName());
        assertThat(Json.longs(json.get("children"))).containsExactly(member.get("id").asLong());

        controller.release.set();
        HttpResponse<String> done = response.get(BOUND.toSeconds(), TimeUnit.SECONDS);
        assertThat(done.statusCode()).isEqualTo(200);
        assertThat(done.body()).isEqualTo("released");
    }

    @Test
    void cancellingABlockedRequestOverHttpAnswers503AndRemovesItsThreads() throws Exception {
        CompletableFuture<HttpResponse<String>> response = http.getAsync("/e2e/block");
        long requestId = awaitListedBlocked(BLOCK_QUERY).get("id").asLong();
        long memberId = awaitListedBlocked("/actuator/thredo?name=" + EndToEndApp.MEMBER_NAME).get("id").asLong();

        HttpResponse<String> cancel = http.post("/actuator/thredo/" + requestId + "/cancel");

        assertThat(cancel.statusCode()).as(cancel.body()).isEqualTo(202);
        assertThat(Json.of(cancel).get("id").asLong()).isEqualTo(requestId);
        HttpResponse<String> answered = response.get(BOUND.toSeconds(), TimeUnit.SECONDS);
        ProblemAssertions.assertProblem503(answered, "cancelled", "/e2e/block");
        until("neither the request thread nor its member is listed",
                () -> names(http.get(BLOCK_QUERY)).isEmpty()
                        && names(http.get("/actuator/thredo?name=" + EndToEndApp.MEMBER_NAME)).isEmpty());
        assertThat(http.get("/actuator/thredo/" + requestId).statusCode()).isEqualTo(404);
        assertThat(http.get("/actuator/thredo/" + memberId).statusCode()).isEqualTo(404);
    }

    @Test
    void aBlockedScheduledThredoScopedRunIsListedUntilReleased() throws Exception {
        int releasedBefore = jobControl.released.get();
        Event gate = new Event();
        jobControl.nextGate.set(gate);

        JsonNode run = awaitListedBlocked("/actuator/thredo?name=" + EndToEndApp.E2eJob.ADOPTED_NAME);

        assertThat(run.get("name").asString()).isEqualTo(EndToEndApp.E2eJob.RUN_NAME);
        assertThat(run.get("blockedOn").asString()).isEqualTo("Event.await");
        assertThat(run.get("parentId").asLong()).isZero();
        long runId = run.get("id").asLong();
        assertThat(Json.of(http.get("/actuator/thredo/" + runId)).get("stack").toString())
                .contains(EndToEndApp.E2eJob.class.getName());

        gate.set();

        until("the released run has ended", () -> jobControl.released.get() == releasedBefore + 1);
        until("the released run is no longer listed",
                () -> http.get("/actuator/thredo/" + runId).statusCode() == 404);
        assertThat(StreamSupport.stream(Json.of(http.get("/actuator/thredo?name=" + EndToEndApp.E2eJob.ADOPTED_NAME))
                .get("threads").spliterator(), false).map(t -> t.get("id").asLong()).toList())
                .doesNotContain(runId);
    }

    @Test
    void aThreadIgnoringItsCancellationDoesNotHoldTheContextCloseBeyondTheShutdownTimeout() {
        AtomicBoolean stop = new AtomicBoolean();
        CountDownLatch spinning = new CountDownLatch(1);
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(ThredoAutoConfiguration.class))
                .withPropertyValues("thredo.shutdown-timeout=300ms")
                .run(context -> {
                    Kernel own = context.getBean(Kernel.class);
                    ThredoThread<?> spinner = own.spawn("spinner", () -> {
                        spinning.countDown();
                        while (!stop.get()) {
                            Thread.onSpinWait();
                        }
                    });
                    try {
                        assertThat(spinning.await(BOUND.toSeconds(), TimeUnit.SECONDS)).isTrue();

                        long start = System.nanoTime();
                        context.close();
                        Duration closing = Duration.ofNanos(System.nanoTime() - start);

                        assertThat(own.isClosed()).isTrue();
                        assertThat(closing).isGreaterThanOrEqualTo(Duration.ofMillis(250))
                                .isLessThan(Duration.ofSeconds(5));
                        assertThat(spinner.thread().isAlive()).isTrue();
                        assertThat(spinner.isDone()).isFalse();
                        assertThat(spinner.isCancelled()).isTrue();
                    } finally {
                        stop.set(true);
                    }
                    spinner.await();
                    assertThat(spinner.isDone()).isTrue();
                });
    }

    // --- helpers ---

    /** Polls the listing (bounded) until it holds exactly one thread, in state BLOCKED; returns it. */
    private JsonNode awaitListedBlocked(String query) {
        JsonNode[] found = new JsonNode[1];
        // Blocked in a thredo wait: on its way there a thread may be caught for a moment in a JDK monitor
        // (listed as BLOCKED on "JDK BLOCKED"), which is not the wait this test is about.
        until("one thread blocked in a thredo wait is listed by " + query, () -> {
            JsonNode threads = Json.of(http.get(query)).get("threads");
            if (threads.size() == 1 && threads.get(0).get("state").asString().equals("BLOCKED")
                    && !threads.get(0).get("blockedOn").asString("JDK").startsWith("JDK")) {
                found[0] = threads.get(0);
                return true;
            }
            return false;
        });
        return found[0];
    }

    private static List<String> names(HttpResponse<String> listing) {
        assertThat(listing.statusCode()).as(listing.body()).isEqualTo(200);
        return Json.texts(Json.of(listing).get("threads"), "name");
    }
}
