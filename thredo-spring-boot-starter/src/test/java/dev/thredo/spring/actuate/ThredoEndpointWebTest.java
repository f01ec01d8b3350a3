package dev.thredo.spring.actuate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.thredo.Event;
import dev.thredo.Kernel;
import dev.thredo.Outcome;
import dev.thredo.ThreadInfo;
import dev.thredo.ThredoThread;
import dev.thredo.Thredo;
import dev.thredo.spring.KernelPolling;
import dev.thredo.spring.actuate.HttpSupport.Reply;
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

    private HttpSupport http;
    private String prefix;
    private final List<ThredoThread<?>> spawned = new ArrayList<>();

    @BeforeEach
    void setUp(TestInfo info) {
        http = new HttpSupport(port);
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

        Reply reply = http.get("/actuator/thredo?name=" + prefix);

        assertThat(reply.status()).isEqualTo(200);
        JsonNode json = reply.json();
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
        assertThat(t.get("groupName").isNull()).isTrue();
        assertThat(t.get("daemon").asBoolean()).isFalse();
        assertThat(t.get("virtual").asBoolean()).isTrue();
        assertThat(Instant.parse(t.get("startedAt").asString())).isBeforeOrEqualTo(Instant.now());
        assertThat(t.get("ageMillis").asLong()).isNotNegative();
        assertThat(t.get("deadline").isNull()).isTrue();
        assertThat(t.get("cancelRequestedAt").isNull()).isTrue();
        assertThat(t.get("stuck").asBoolean()).isFalse();
    }

    @Test
    void showsADeadlineInForce() {
        ThredoThread<?> sleeper = spawn("timed", () -> Thredo.timeoutAfter(Duration.ofHours(1),
                () -> Thredo.sleep(Duration.ofDays(1))));
        awaitBlocked(sleeper);

        JsonNode t = http.get("/actuator/thredo?name=" + prefix).json().get("threads").get(0);

        assertThat(Instant.parse(t.get("deadline").asString())).isAfter(Instant.now().plus(Duration.ofMinutes(59)));
    }

    @Test
    void filtersByNameSubstring() {
        awaitBlocked(sleeper("alpha"));
        awaitBlocked(sleeper("beta"));

        JsonNode json = http.get("/actuator/thredo?name=" + prefix + "alp").json();

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

        assertThat(names(http.get("/actuator/thredo?state=cancelling&name=" + prefix).json()))
                .containsExactly(prefix + "ignoring");
        assertThat(names(http.get("/actuator/thredo?state=BLOCKED&name=" + prefix).json()))
                .containsExactly(prefix + "blocked");
        assertThat(names(http.get("/actuator/thredo?state=Running&name=" + prefix).json())).isEmpty();
        JsonNode cancelling = http.get("/actuator/thredo?state=CANCELLING&name=" + prefix).json().get("threads").get(0);
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

        JsonNode two = http.get("/actuator/thredo?limit=2&name=" + prefix).json();
        JsonNode three = http.get("/actuator/thredo?limit=3&name=" + prefix).json();

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

        Reply reply = http.get("/actuator/thredo/" + parent.id());

        assertThat(reply.status()).isEqualTo(200);
        JsonNode json = reply.json();
        assertThat(json.get("id").asLong()).isEqualTo(parent.id());
        assertThat(json.get("name").asString()).isEqualTo(prefix + "parent");
        assertThat(json.get("state").asString()).isEqualTo("BLOCKED");
        assertThat(ids(json.get("children"))).containsExactlyInAnyOrder(children.get(0).id(), children.get(1).id());
        JsonNode stack = json.get("stack");
        assertThat(stack).isNotEmpty();
        JsonNode top = stack.get(0);
        assertThat(top.has("className") && top.has("methodName") && top.has("fileName") && top.has("lineNumber"))
                .isTrue();
        assertThat(StreamSupport.stream(stack.spliterator(), false).map(f -> f.get("className").asString()))
                .contains(ThredoEndpointWebTest.class.getName());
        JsonNode child = http.get("/actuator/thredo/" + children.get(0).id()).json();
        assertThat(child.get("parentId").asLong()).isEqualTo(parent.id());
        assertThat(child.get("children")).isEmpty();
    }

    @Test
    void cancelAnswers202AtOnceAndTheThreadEndsCancelled() {
        ThredoThread<?> sleeper = sleeper("victim");
        awaitBlocked(sleeper);

        Reply reply = http.post("/actuator/thredo/" + sleeper.id() + "/cancel");

        assertThat(reply.status()).isEqualTo(202);
        JsonNode json = reply.json();
        assertThat(json.get("id").asLong()).isEqualTo(sleeper.id());
        assertThat(json.get("name").asString()).isEqualTo(prefix + "victim");
        sleeper.await();
        assertThat(sleeper.outcome()).isEqualTo(Outcome.CANCELLED);
        assertThat(names(http.get("/actuator/thredo?name=" + prefix).json())).isEmpty();
        assertThat(http.get("/actuator/thredo/" + sleeper.id()).status()).isEqualTo(404);
        assertThat(http.post("/actuator/thredo/" + sleeper.id() + "/cancel").status()).isEqualTo(404);
    }

    @Test
    void cancelDoesNotWaitForAThreadThatIgnoresIt() {
        Event gate = new Event();
        ThredoThread<?> ignoring = spawn("ignoring", () -> Thredo.shield(() -> gate.await()));
        awaitBlocked(ignoring);

        Reply reply = http.post("/actuator/thredo/" + ignoring.id() + "/cancel");

        assertThat(reply.status()).isEqualTo(202);
        assertThat(reply.json().get("state").asString()).isEqualTo("CANCELLING");
        assertThat(reply.json().get("cancelRequestedAt").isNull()).isFalse();
        assertThat(ignoring.isDone()).isFalse();
        gate.set();
        ignoring.await();
    }

    @Test
    void malformedIdsAre400Problems() {
        assertProblem(http.get("/actuator/thredo/abc"), 400, "abc");
        assertProblem(http.post("/actuator/thredo/abc/cancel"), 400, "abc");
        assertProblem(http.get("/actuator/thredo/99999999999999999999"), 400, "99999999999999999999");
    }

    @Test
    void unknownIdsAndActionsAre404Problems() {
        ThredoThread<?> sleeper = sleeper("target");
        awaitBlocked(sleeper);

        assertProblem(http.get("/actuator/thredo/" + Long.MAX_VALUE), 404, String.valueOf(Long.MAX_VALUE));
        assertProblem(http.post("/actuator/thredo/" + Long.MAX_VALUE + "/cancel"), 404, String.valueOf(Long.MAX_VALUE));
        assertProblem(http.post("/actuator/thredo/" + sleeper.id() + "/explode"), 404, "explode");
        assertThat(sleeper.isCancelled()).isFalse();
    }

    @Test
    void badListingParametersAre400Problems() {
        assertProblem(http.get("/actuator/thredo?limit=0"), 400, "limit");
        assertProblem(http.get("/actuator/thredo?limit=10001"), 400, "limit");
        assertProblem(http.get("/actuator/thredo?limit=ten"), 400, "limit");
        assertProblem(http.get("/actuator/thredo?state=SLEEPING"), 400, "state");
        assertThat(http.get("/actuator/thredo?limit=10000").status()).isEqualTo(200);
        assertThat(http.get("/actuator/thredo?limit=1").status()).isEqualTo(200);
    }

    @Test
    void liveThreadGaugeShowsBlockedThreads() {
        for (int i = 1; i <= 3; i++) {
            awaitBlocked(sleeper("g" + i));
        }
        KernelPolling.awaitUntil("the gauge counts the 3 sleepers",
                () -> metric("thredo.threads.live?tag=state:blocked", "VALUE") >= 3);
        JsonNode meter = http.get("/actuator/metrics/thredo.threads.live").json();
        assertThat(meter.get("baseUnit").asString()).isEqualTo("threads");
        assertThat(meter.get("description").asString()).isNotBlank();
        assertThat(StreamSupport.stream(meter.get("availableTags").get(0).get("values").spliterator(), false)
                .map(JsonNode::asString)).containsExactlyInAnyOrder("running", "blocked", "cancelling");
        assertThat(http.get("/actuator/metrics/thredo.groups.live").status()).isEqualTo(200);
        assertThat(http.get("/actuator/metrics/thredo.threads.stuck").status()).isEqualTo(200);
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
        assertThat(http.post("/actuator/thredo/" + sleeper.id() + "/cancel").status()).isEqualTo(202);
        sleeper.await();

        KernelPolling.awaitUntil("started counts 2 more", () -> metric("thredo.threads.started", "COUNT") >= started + 2);
        KernelPolling.awaitUntil("ended{cancelled} counts 1 more",
                () -> metric("thredo.threads.ended?tag=outcome:cancelled", "COUNT") >= cancelled + 1);
        KernelPolling.awaitUntil("ended{succeeded} counts 1 more",
                () -> metric("thredo.threads.ended?tag=outcome:succeeded", "COUNT") >= succeeded + 1);
        assertThat(metric("thredo.cancel.latency", "COUNT")).isGreaterThanOrEqualTo(latencies + 1);
        assertThat(metric("thredo.cancel.latency", "TOTAL_TIME")).isPositive();
    }

    private double metric(String pathAndQuery, String statistic) {
        Reply reply = http.get("/actuator/metrics/" + pathAndQuery);
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        for (JsonNode m : reply.json().get("measurements")) {
            if (m.get("statistic").asString().equals(statistic)) {
                return m.get("value").asDouble();
            }
        }
        throw new AssertionError("no " + statistic + " in " + reply.body());
    }

    private static void assertProblem(Reply reply, int status, String detailMentions) {
        assertThat(reply.status()).as(reply.body()).isEqualTo(status);
        assertThat(reply.contentType()).startsWith("application/problem+json");
        JsonNode problem = reply.json();
        assertThat(problem.get("status").asInt()).isEqualTo(status);
        assertThat(problem.get("title").asString()).isNotBlank();
        assertThat(problem.get("type").asString()).isEqualTo("about:blank");
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
        KernelPolling.awaitUntil(t.name() + " is blocked", () -> kernel.thread(t.id()).map(ThreadInfo::state)
                .filter(s -> s == ThreadInfo.State.BLOCKED).isPresent());
    }

    private static List<String> names(JsonNode listing) {
        return StreamSupport.stream(listing.get("threads").spliterator(), false)
                .map(t -> t.get("name").asString()).toList();
    }

    private static List<Long> ids(JsonNode array) {
        return StreamSupport.stream(array.spliterator(), false).map(JsonNode::asLong).toList();
    }
}
