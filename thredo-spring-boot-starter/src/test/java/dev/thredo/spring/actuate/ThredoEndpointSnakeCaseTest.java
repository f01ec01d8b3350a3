package dev.thredo.spring.actuate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.thredo.Event;
import dev.thredo.Kernel;
import dev.thredo.ThreadInfo;
import dev.thredo.Thredo;
import dev.thredo.ThredoGroup;
import dev.thredo.ThredoThread;
import dev.thredo.spring.problem.ThredoProblems;
import dev.thredo.testing.Json;
import dev.thredo.testing.KernelPolling;
import dev.thredo.testing.Polling;
import dev.thredo.testing.ProblemAssertions;
import dev.thredo.testing.TestHttp;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;

/**
 * An application whose own JSON is {@code SNAKE_CASE} ({@code spring.jackson.property-naming-strategy})
 * gets the endpoint's JSON unchanged, with the camelCase names of DESIGN §4 that the console reads
 * (the endpoint's descriptors are {@code OperationResponseBody}s, written by the actuator's mapper),
 * while its own controllers do answer in snake_case; the request integration's 503 problem keeps its
 * RFC 9457 members and is written by the application's mapper (indented, as it is configured to).
 * Over real HTTP, on platform and on virtual request threads.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ThredoEndpointSnakeCaseTest {

    /** The members of a thread in a listing and in a cancel's answer (DESIGN §4, plus {@code groupName} and {@code stuck}). */
    static final Set<String> THREAD_FIELDS = Set.of("id", "name", "state", "blockedOn", "parentId", "groupId",
            "groupName", "daemon", "virtual", "startedAt", "ageMillis", "deadline", "cancelRequestedAt", "stuck");
    /** Those never without a value; the others are left out when they have none, as in Boot's own endpoints. */
    static final Set<String> ALWAYS = Set.of("id", "name", "state", "parentId", "groupId", "daemon", "virtual",
            "startedAt", "ageMillis", "stuck");
    static final Set<String> KERNEL_FIELDS = Set.of("live", "running", "blocked", "cancelling", "stuck", "spawned",
            "succeeded", "failed", "cancelled", "liveGroups");

    abstract static class SnakeCaseApplication {
        @LocalServerPort
        int port;

        @Autowired
        Kernel kernel;

        private final List<ThredoThread<?>> spawned = new ArrayList<>();
        /** Lets the families' children end: they hold a cancel back until it is set. */
        private final Event release = new Event();

        @AfterEach
        void cancelLeftovers() {
            release.set();
            spawned.forEach(ThredoThread::requestCancel);
            spawned.forEach(ThredoThread::await);
        }

        @Test
        void theApplicationsOwnJsonIsSnakeCase() {
            HttpResponse<String> reply = TestHttp.localhost(port).get("/snake");
            assertThat(reply.statusCode()).isEqualTo(200);
            assertThat(names(Json.of(reply))).containsExactly("parent_id");
        }

        @Test
        void listingDetailAndCancelKeepTheirCamelCaseNames() throws Exception {
            TestHttp http = TestHttp.localhost(port);
            Family family = family("snake-" + getClass().getSimpleName());

            HttpResponse<String> listing = http.get("/actuator/thredo?name=" + family.prefix);
            assertThat(listing.statusCode()).as(listing.body()).isEqualTo(200);
            JsonNode body = Json.of(listing);
            assertThat(names(body)).containsExactlyInAnyOrder("kernel", "threads", "truncated");
            assertThat(names(body.get("kernel"))).containsExactlyInAnyOrderElementsOf(KERNEL_FIELDS);
            assertThat(body.get("threads")).hasSize(2);
            for (JsonNode t : body.get("threads")) {
                assertThat(names(t)).as(t.toString()).containsAll(ALWAYS).isSubsetOf(THREAD_FIELDS);
            }
            JsonNode child = find(body.get("threads"), family.child.id());
            assertThat(names(child)).as("all but cancelRequestedAt")
                    .containsExactlyInAnyOrderElementsOf(without(THREAD_FIELDS, "cancelRequestedAt"));
            assertThat(child.get("parentId").asLong()).isEqualTo(family.parent.id());
            assertThat(child.get("groupId").asLong()).isPositive();
            assertThat(child.get("groupName").asString()).isEqualTo(family.prefix + "group");
            assertThat(child.get("blockedOn").asString()).isNotBlank();
            assertThat(child.get("startedAt").asString()).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
            assertThat(child.get("deadline").asString()).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");

            HttpResponse<String> detailReply = http.get("/actuator/thredo/" + family.parent.id());
            assertThat(detailReply.statusCode()).as(detailReply.body()).isEqualTo(200);
            JsonNode detail = Json.of(detailReply);
            Set<String> detailFields = new TreeSet<>(without(THREAD_FIELDS, "deadline", "cancelRequestedAt"));
            detailFields.addAll(List.of("stack", "children"));
            assertThat(names(detail)).containsExactlyInAnyOrderElementsOf(detailFields);
            assertThat(detail.get("children").get(0).asLong()).isEqualTo(family.child.id());
            assertThat(names(detail.get("stack").get(0)))
                    .containsExactlyInAnyOrder("className", "methodName", "fileName", "lineNumber");

            HttpResponse<String> cancelReply = http.post("/actuator/thredo/" + family.child.id() + "/cancel");
            assertThat(cancelReply.statusCode()).as(cancelReply.body()).isEqualTo(202);
            JsonNode cancel = Json.of(cancelReply);
            assertThat(names(cancel)).containsAll(ALWAYS).contains("cancelRequestedAt", "groupName")
                    .isSubsetOf(THREAD_FIELDS);
            assertThat(cancel.get("state").asString()).isEqualTo("CANCELLING");
        }

        @Test
        void everyFieldTheConsoleReadsIsInTheListing() throws Exception {
            TestHttp http = TestHttp.localhost(port);
            Family family = family("console-" + getClass().getSimpleName());
            JsonNode body = Json.of(http.get("/actuator/thredo?name=" + family.prefix));
            Set<String> childFields = names(find(body.get("threads"), family.child.id()));
            childFields.addAll(names(Json.of(http.post("/actuator/thredo/" + family.child.id() + "/cancel"))));
            String console = consoleScript();

            // The console's names for a listed thread (t, and k for a child) and the kernel counts (k).
            Set<String> reads = reads(console, "t");
            reads.addAll(reads(console, "k"));
            assertThat(reads).contains("id", "parentId", "groupId", "groupName", "blockedOn", "ageMillis",
                    "cancelRequestedAt", "liveGroups"); // the pattern still finds what the console reads
            Set<String> served = new TreeSet<>(childFields);
            served.addAll(names(body.get("kernel")));
            assertThat(reads).isSubsetOf(served);
            Set<String> listingReads = reads(console, "body");
            assertThat(listingReads).contains("threads", "kernel", "truncated");
            // not the listing: its reading of a failure's body, and document.body
            listingReads.removeAll(List.of("detail", "error", "message", "dataset"));
            assertThat(listingReads).isSubsetOf(names(body));
        }

        @Test
        void aCancelledRequestsProblemIsWrittenByTheApplicationsMapperWithItsMembers() throws Exception {
            TestHttp http = TestHttp.localhost(port);
            CompletableFuture<HttpResponse<String>> pending = http.getAsync("/snake/block");
            ThreadInfo request = KernelPolling.awaitThread(kernel, t -> t.name().equals("GET /snake/block"));
            assertThat(http.post("/actuator/thredo/" + request.id() + "/cancel").statusCode()).isEqualTo(202);

            HttpResponse<String> reply = pending.get(20, TimeUnit.SECONDS);
            JsonNode problem = ProblemAssertions.assertProblem(reply, 503);
            assertThat(names(problem)).containsExactlyInAnyOrder("type", "title", "status", "detail", "instance");
            assertThat(problem.get("type").asString()).isEqualTo(ThredoProblems.REQUEST_CANCELLED.toString());
            assertThat(problem.get("instance").asString()).isEqualTo("/snake/block");
            assertThat(reply.body()).as("indented, as the application's mapper writes").contains("\n  \"status\" : 503");
        }

        /**
         * A parent blocked in its group's join and one child in it, waiting under a deadline and
         * holding a cancel back (in a shield) until {@link #release}, so that a cancelled child is
         * still listed.
         */
        private Family family(String prefix) throws InterruptedException {
            CountDownLatch started = new CountDownLatch(1);
            AtomicReference<ThredoThread<?>> child = new AtomicReference<>();
            ThredoThread<?> parent = kernel.spawn(prefix + "-parent", () -> {
                try (ThredoGroup group = ThredoGroup.open(prefix + "-group", ThredoGroup.Wait.ALL)) {
                    // a deadline inside the shield: one outside it would be held back, and not listed
                    child.set(group.spawn(prefix + "-child", () -> Thredo.shield(
                            () -> Thredo.timeoutAfter(Duration.ofMinutes(5), () -> release.await()))));
                    started.countDown();
                    group.join();
                }
            });
            spawned.add(parent);
            assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
            Polling.until("the child waits", () -> kernel.find(child.get().id())
                    .map(t -> t.blockedOn() != null).orElse(false));
            return new Family(prefix + "-", parent, child.get());
        }
    }

    record Family(String prefix, ThredoThread<?> parent, ThredoThread<?> child) {
    }

    static JsonNode find(JsonNode threads, long id) {
        for (JsonNode t : threads) {
            if (t.get("id").asLong() == id) {
                return t;
            }
        }
        throw new AssertionError("no thread " + id + " in " + threads);
    }

    static Set<String> without(Set<String> all, String... left) {
        Set<String> rest = new TreeSet<>(all);
        rest.removeAll(List.of(left));
        return rest;
    }

    static Set<String> names(JsonNode object) {
        return new TreeSet<>(object.propertyNames());
    }

    /** The property names the console's script reads from the variable {@code variable} ({@code t.parentId}, ...). */
    static Set<String> reads(String script, String variable) {
        Set<String> names = new TreeSet<>();
        Matcher m = Pattern.compile("\\b" + variable + "\\.([A-Za-z_$][\\w$]*)").matcher(script);
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    /** The console's scripts: its page logic and the thread tree it shares with thredo-admin's view. */
    static String consoleScript() throws IOException {
        StringBuilder scripts = new StringBuilder();
        for (String name : List.of("console.js", "thredo-tree.js")) {
            try (InputStream in = ThredoEndpointSnakeCaseTest.class.getResourceAsStream("/META-INF/thredo-console/" + name)) {
                assertThat(in).as("the console's " + name + " on the classpath").isNotNull();
                scripts.append(new String(in.readAllBytes(), StandardCharsets.UTF_8)).append('\n');
            }
        }
        return scripts.toString();
    }

    @Nested
    @SpringBootTest(classes = SnakeCaseApp.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
            properties = { "spring.jackson.property-naming-strategy=SNAKE_CASE",
                    "spring.jackson.serialization.indent-output=true",
                    "management.endpoints.web.exposure.include=thredo",
                    "management.endpoint.thredo.access=unrestricted" })
    class PlatformRequestThreads extends SnakeCaseApplication {
    }

    @Nested
    @SpringBootTest(classes = SnakeCaseApp.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
            properties = { "spring.jackson.property-naming-strategy=SNAKE_CASE",
                    "spring.jackson.serialization.indent-output=true",
                    "management.endpoints.web.exposure.include=thredo",
                    "management.endpoint.thredo.access=unrestricted", "spring.threads.virtual.enabled=true" })
    class VirtualRequestThreads extends SnakeCaseApplication {
    }

    @SpringBootConfiguration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    @Import(SnakeController.class)
    static class SnakeCaseApp {
    }

    @RestController
    static class SnakeController {
        /** A body of the application's own, written with its own (snake_case) mapper. */
        record Probe(long parentId) {
        }

        @GetMapping("/snake")
        Probe probe() {
            return new Probe(7);
        }

        @GetMapping("/snake/block")
        String block() {
            Thredo.sleep(Duration.ofMinutes(1));
            return "not cancelled";
        }
    }
}
