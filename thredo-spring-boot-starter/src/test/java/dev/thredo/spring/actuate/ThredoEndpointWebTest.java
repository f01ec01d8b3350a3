package dev.thredo.spring.actuate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.thredo.Event;
import dev.thredo.Kernel;
import dev.thredo.Outcome;
import dev.thredo.ThreadInfo;
import dev.thredo.ThredoThread;
import dev.thredo.Thredo;
import dev.thredo.spring.problem.ThredoProblems;
import dev.thredo.testing.Json;
import dev.thredo.testing.Polling;
import dev.thredo.testing.ProblemAssertions;
import dev.thredo.testing.TestHttp;
import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

@SpringBootTest(classes = ActuateTestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
        "management.endpoints.web.exposure.include=thredo,metrics",
        "management.endpoint.thredo.access=unrestricted" })
@Timeout(30)
class ThredoEndpointWebTest {
    private static final AtomicInteger TESTS = new AtomicInteger();

    @LocalServerPort
    int port;

    @Autowired
    Kernel kernel;

    private TestHttp http;
    private String prefix;
    private final List<ThredoThread<?>> spawned = new ArrayList<>();

    @BeforeEach
    void setUp(TestInfo info) {
        http = TestHttp.localhost(port);
        prefix = "t" + TESTS.incrementAndGet() + "-" + info.getTestMethod().orElseThrow().getName() + "-";
    }

    @AfterEach
    void cancelLeftovers() {
        spawned.forEach(ThredoThread::requestCancel);
        spawned.forEach(ThredoThread::await);
    }

    @Test
    void listsALiveThreadWithAllItsFields() {
        ThredoThread<?> sleeper = sleeper("sleeper-1");
        awaitBlocked(sleeper);

        HttpResponse<String> reply = http.get("/actuator/thredo?name=" + prefix);

        assertThat(reply.statusCode()).isEqualTo(200);
        JsonNode json = Json.of(reply);
        assertThat(json.get("truncated").asBoolean()).isFalse();
        JsonNode kernelCounts = json.get("kernel");
        for (String field : List.of("live", "running", "blocked", "cancelling", "stuck", "spawned", "succeeded",
                "failed", "cancelled", "liveGroups")) {
            assertThat(kernelCounts.has(field)).as(field).isTrue();
        }
        assertThat(kernelCounts.get("live").asLong()).isGreaterThanOrEqualTo(1);
        assertThat(kernelCounts.get("blocked").asLong()).isGreaterThanOrEqualTo(1);
        assertThat(json.get("threads")).hasSize(1);
        JsonNode t = json.get("threads").get(0);
        assertThat(t.get("id").asLong()).isEqualTo(sleeper.id());
        assertThat(t.get("name").asString()).isEqualTo(prefix + "sleeper-1");
        assertThat(t.get("state").asString()).isEqualTo("BLOCKED");
        assertThat(t.get("blockedOn").asString()).isEqualTo("sleep");
        assertThat(t.get("parentId").asLong()).isZero();
        assertThat(t.get("groupId").asLong()).isZero();
        assertThat(t.has("groupName")).as("left out without a value, as in Boot's endpoints").isFalse();
        assertThat(t.get("daemon").asBoolean()).isFalse();
        assertThat(t.get("virtual").asBoolean()).isTrue();
        assertThat(Instant.parse(t.get("startedAt").asString())).isBeforeOrEqualTo(Instant.now());
        assertThat(t.get("ageMillis").asLong()).isNotNegative();
        assertThat(t.has("deadline")).isFalse();
        assertThat(t.has("cancelRequestedAt")).isFalse();
        assertThat(t.get("stuck").asBoolean()).isFalse();
    }

    @Test
    void showsADeadlineInForce() {
        ThredoThread<?> sleeper = spawn("timed", () -> Thredo.timeoutAfter(Duration.ofHours(1),
                () -> Thredo.sleep(Duration.ofDays(1))));
        awaitBlocked(sleeper);

        JsonNode t = Json.of(http.get("/actuator/thredo?name=" + prefix)).get("threads").get(0);

        assertThat(Instant.parse(t.get("deadline").asString())).isAfter(Instant.now().plus(Duration.ofMinutes(59)));
    }

    @Test
    void filtersByNameSubstring() {
        awaitBlocked(sleeper("alpha"));
        awaitBlocked(sleeper("beta"));

        JsonNode json = Json.of(http.get("/actuator/thredo?name=" + prefix + "alp"));

        assertThat(names(json)).containsExactly(prefix + "alpha");
    }

    @Test
    void filtersByStateInAnyCase() {
        Event gate = new Event();
        ThredoThread<?> ignoring = spawn("ignoring", () -> Thredo.shield(() -> gate.await()));
        ThredoThread<?> blocked = sleeper("blocked");
        awaitBlocked(ignoring);
        awaitBlocked(blocked);
        assertThat(kernel.cancel(ignoring.id())).isTrue();

        assertThat(names(Json.of(http.get("/actuator/thredo?state=cancelling&name=" + prefix))))
                .containsExactly(prefix + "ignoring");
        assertThat(names(Json.of(http.get("/actuator/thredo?state=BLOCKED&name=" + prefix))))
                .containsExactly(prefix + "blocked");
        assertThat(names(Json.of(http.get("/actuator/thredo?state=Running&name=" + prefix)))).isEmpty();
        JsonNode cancelling = Json.of(http.get("/actuator/thredo?state=CANCELLING&name=" + prefix)).get("threads").get(0);
        assertThat(cancelling.get("cancelRequestedAt").isNull()).isFalse();

        gate.set();
        ignoring.await();
        assertThat(ignoring.outcome()).isEqualTo(Outcome.SUCCEEDED);
    }

    @Test
    void truncatesToTheLimitAndSaysSo() {
        for (int i = 1; i <= 3; i++) {
            awaitBlocked(sleeper("s" + i));
        }

        JsonNode two = Json.of(http.get("/actuator/thredo?limit=2&name=" + prefix));
        JsonNode three = Json.of(http.get("/actuator/thredo?limit=3&name=" + prefix));

        assertThat(names(two)).containsExactly(prefix + "s1", prefix + "s2");
        assertThat(two.get("truncated").asBoolean()).isTrue();
        assertThat(names(three)).hasSize(3);
        assertThat(three.get("truncated").asBoolean()).isFalse();
    }

    @Test
    void showsOneThreadWithItsStackAndChildren() {
        List<ThredoThread<?>> children = new java.util.concurrent.CopyOnWriteArrayList<>();
        Event spawnedBoth = new Event();
        ThredoThread<?> parent = spawn("parent", () -> {
            children.add(Thredo.spawn(prefix + "child-1", () -> Thredo.sleep(Duration.ofDays(1))));
            children.add(Thredo.spawn(prefix + "child-2", () -> Thredo.sleep(Duration.ofDays(1))));
            spawnedBoth.set();
            Thredo.sleep(Duration.ofDays(1));
        });
        spawnedBoth.await(10, java.util.concurrent.TimeUnit.SECONDS);
        spawned.addAll(children);
        awaitBlocked(parent);

        HttpResponse<String> reply = http.get("/actuator/thredo/" + parent.id());

        assertThat(reply.statusCode()).isEqualTo(200);
        JsonNode json = Json.of(reply);
        assertThat(json.get("id").asLong()).isEqualTo(parent.id());
        assertThat(json.get("name").asString()).isEqualTo(prefix + "parent");
        assertThat(json.get("state").asString()).isEqualTo("BLOCKED");
        assertThat(Json.longs(json.get("children"))).containsExactlyInAnyOrder(children.get(0).id(), children.get(1).id());
        JsonNode stack = json.get("stack");
        assertThat(stack).isNotEmpty();
        JsonNode top = stack.get(0);
        assertThat(top.has("className") && top.has("methodName") && top.has("fileName") && top.has("lineNumber"))
                .isTrue();
        assertThat(StreamSupport.stream(stack.spliterator(), false).map(f -> f.get("className").asString()))
                .contains(ThredoEndpointWebTest.class.getName());
        JsonNode child = Json.of(http.get("/actuator/thredo/" + children.get(0).id()));
        assertThat(child.get("parentId").asLong()).isEqualTo(parent.id());
        assertThat(child.get("children")).isEmpty();
    }

    @Test
    void cancelAnswers202AtOnceAndTheThreadEndsCancelled() {
        ThredoThread<?> sleeper = sleeper("victim");
        awaitBlocked(sleeper);

        HttpResponse<String> reply = http.post("/actuator/thredo/" + sleeper.id() + "/cancel");

        assertThat(reply.statusCode()).isEqualTo(202);
        JsonNode json = Json.of(reply);
        assertThat(json.get("id").asLong()).isEqualTo(sleeper.id());
        assertThat(json.get("name").asString()).isEqualTo(prefix + "victim");
        sleeper.await();
        assertThat(sleeper.outcome()).isEqualTo(Outcome.CANCELLED);
        assertThat(names(Json.of(http.get("/actuator/thredo?name=" + prefix)))).isEmpty();
        assertThat(http.get("/actuator/thredo/" + sleeper.id()).statusCode()).isEqualTo(404);
        assertThat(http.post("/actuator/thredo/" + sleeper.id() + "/cancel").statusCode()).isEqualTo(404);
    }

    @Test
    void cancelDoesNotWaitForAThreadThatIgnoresIt() {
        Event gate = new Event();
        ThredoThread<?> ignoring = spawn("ignoring", () -> Thredo.shield(() -> gate.await()));
        awaitBlocked(ignoring);

        HttpResponse<String> reply = http.post("/actuator/thredo/" + ignoring.id() + "/cancel");

        assertThat(reply.statusCode()).isEqualTo(202);
        assertThat(Json.of(reply).get("state").asString()).isEqualTo("CANCELLING");
        assertThat(Json.of(reply).get("cancelRequestedAt").isNull()).isFalse();
        assertThat(ignoring.isDone()).isFalse();
        gate.set();
        ignoring.await();
    }

    @Test
    void malformedIdsAre400Problems() {
        assertProblem(http.get("/actuator/thredo/abc"), 400, ThredoProblems.BAD_THREAD_ID, "abc");
        assertProblem(http.post("/actuator/thredo/abc/cancel"), 400, ThredoProblems.BAD_THREAD_ID, "abc");
        assertProblem(http.get("/actuator/thredo/99999999999999999999"), 400, ThredoProblems.BAD_THREAD_ID,
                "99999999999999999999");
    }

    @Test
    void unknownIdsAndActionsAre404Problems() {
        ThredoThread<?> sleeper = sleeper("target");
        awaitBlocked(sleeper);

        assertProblem(http.get("/actuator/thredo/" + Long.MAX_VALUE), 404, ThredoProblems.UNKNOWN_THREAD_ID,
                String.valueOf(Long.MAX_VALUE));
        assertProblem(http.post("/actuator/thredo/" + Long.MAX_VALUE + "/cancel"), 404, ThredoProblems.UNKNOWN_THREAD_ID,
                String.valueOf(Long.MAX_VALUE));
        assertProblem(http.post("/actuator/thredo/" + sleeper.id() + "/explode"), 404, "explode");
        assertThat(sleeper.isCancelled()).isFalse();
    }

    @Test
    void badListingParametersAre400Problems() {
        assertProblem(http.get("/actuator/thredo?limit=0"), 400, "limit");
        assertProblem(http.get("/actuator/thredo?limit=10001"), 400, "limit");
        assertProblem(http.get("/actuator/thredo?limit=ten"), 400, "limit");
        assertProblem(http.get("/actuator/thredo?state=SLEEPING"), 400, "state");
        assertThat(http.get("/actuator/thredo?limit=10000").statusCode()).isEqualTo(200);
        assertThat(http.get("/actuator/thredo?limit=1").statusCode()).isEqualTo(200);
    }

    @Test
    void liveThreadGaugeShowsBlockedThreads() {
        for (int i = 1; i <= 3; i++) {
            awaitBlocked(sleeper("g" + i));
        }
        Polling.until("the gauge counts the 3 sleepers",
                () -> metric("thredo.threads.live?tag=state:blocked", "VALUE") >= 3);
        JsonNode meter = Json.of(http.get("/actuator/metrics/thredo.threads.live"));
        assertThat(meter.get("baseUnit").asString()).isEqualTo("threads");
        assertThat(meter.get("description").asString()).isNotBlank();
        assertThat(StreamSupport.stream(meter.get("availableTags").get(0).get("values").spliterator(), false)
                .map(JsonNode::asString)).containsExactlyInAnyOrder("running", "blocked", "cancelling");
        assertThat(http.get("/actuator/metrics/thredo.groups.live").statusCode()).isEqualTo(200);
        assertThat(http.get("/actuator/metrics/thredo.threads.stuck").statusCode()).isEqualTo(200);
    }

    @Test
    void countersAndCancelLatencyMoveWhenAThreadIsCancelled() {
        double started = metric("thredo.threads.started", "COUNT");
        double cancelled = metric("thredo.threads.ended?tag=outcome:cancelled", "COUNT");
        double succeeded = metric("thredo.threads.ended?tag=outcome:succeeded", "COUNT");
        double latencies = metric("thredo.cancel.latency", "COUNT");

        ThredoThread<?> sleeper = sleeper("metered");
        spawn("quick", () -> { }).await();
        awaitBlocked(sleeper);
        assertThat(http.post("/actuator/thredo/" + sleeper.id() + "/cancel").statusCode()).isEqualTo(202);
        sleeper.await();

        Polling.until("started counts 2 more", () -> metric("thredo.threads.started", "COUNT") >= started + 2);
        Polling.until("ended{cancelled} counts 1 more",
                () -> metric("thredo.threads.ended?tag=outcome:cancelled", "COUNT") >= cancelled + 1);
        Polling.until("ended{succeeded} counts 1 more",
                () -> metric("thredo.threads.ended?tag=outcome:succeeded", "COUNT") >= succeeded + 1);
        assertThat(metric("thredo.cancel.latency", "COUNT")).isGreaterThanOrEqualTo(latencies + 1);
        assertThat(metric("thredo.cancel.latency", "TOTAL_TIME")).isPositive();
    }

    private double metric(String pathAndQuery, String statistic) {
        HttpResponse<String> reply = http.get("/actuator/metrics/" + pathAndQuery);
        assertThat(reply.statusCode()).as(reply.body()).isEqualTo(200);
        for (JsonNode m : Json.of(reply).get("measurements")) {
            if (m.get("statistic").asString().equals(statistic)) {
                return m.get("value").asDouble();
            }
        }
        throw new AssertionError("no " + statistic + " in " + reply.body());
    }

    private static void assertProblem(HttpResponse<String> response, int status, String detailMentions) {
        assertProblem(response, status, URI.create("about:blank"), detailMentions);
    }

    private static void assertProblem(HttpResponse<String> response, int status, URI type, String detailMentions) {
        JsonNode problem = ProblemAssertions.assertProblem(response, status);
        // RFC 9457 3.1.1: an absent type means about:blank (Spring leaves it out)
        assertThat(problem.path("type").asString("about:blank")).isEqualTo(type.toString());
        assertThat(problem.get("detail").asString()).contains(detailMentions);
    }

    private ThredoThread<?> sleeper(String name) {
        return spawn(name, () -> Thredo.sleep(Duration.ofDays(1)));
    }

    private ThredoThread<?> spawn(String name, Runnable body) {
        ThredoThread<?> t = kernel.spawn(prefix + name, body);
        spawned.add(t);
        return t;
    }

    private void awaitBlocked(ThredoThread<?> t) {
        Polling.until(t.name() + " is blocked", () -> kernel.thread(t.id()).map(ThreadInfo::state)
                .filter(s -> s == ThreadInfo.State.BLOCKED).isPresent());
    }

    private static List<String> names(JsonNode listing) {
        return Json.texts(listing.get("threads"), "name");
    }
}
