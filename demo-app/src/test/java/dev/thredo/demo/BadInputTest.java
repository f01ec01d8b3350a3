package dev.thredo.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.thredo.testing.LogCapture;
import dev.thredo.testing.RawHttp;
import dev.thredo.testing.RawHttp.Response;
import dev.thredo.testing.TestHttp;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import dev.thredo.Kernel;
import dev.thredo.KernelStats;
import dev.thredo.ThreadInfo;
import dev.thredo.Thredo;
import dev.thredo.ThredoThread;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * Bad input for the actuator endpoint and the console, over raw loopback sockets (so that requests
 * an HTTP client refuses to send, such as malformed request lines, reach the server): malformed and
 * huge ids, bad and repeated query parameters, wrong methods, wrong content types, oversized and
 * malformed bodies, path tricks, missing and wrong credentials, and state-changing requests a
 * browser marks cross-site (forms, {@code text/plain} posts, {@code Origin: null}, a sibling
 * subdomain), which must be refused whatever credentials they carry.
 *
 * <p>Each case must get its exact 4xx status with an RFC 9457 problem body ({@code application/problem+json}
 * with {@code status} and {@code title}), whether the answer comes from the endpoint, Spring MVC,
 * Spring Security, the error page or Tomcat itself; no case may cancel the bystander thread that
 * many cases aim at (checked after each); and the whole suite must change nothing: the live threads are the same, no
 * thread was cancelled or failed, and nothing was logged as an ERROR. Adding a case is one line in
 * {@link #cases()}.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class BadInputTest {

    private static final String ADMIN = TestHttp.basic("admin:thredo");
    /** Replaced by the bystander thread's id in request lines. */
    private static final String ID = "{ID}";

    @LocalServerPort
    int port;

    @Autowired
    Kernel kernel;

    @Autowired
    ObjectMapper json;

    /** Who the request claims to be. */
    enum Auth {
        /** No credentials. */
        NONE,
        /** The operator's Basic credentials: past security, to the endpoint, unless marked cross-site. */
        ADMIN
    }

    /**
     * One bad request.
     *
     * @param status the status it must get
     * @param auth the credentials added to {@code headers}
     * @param request the request line, or the whole raw request if {@code raw}
     * @param headers further header lines
     * @param body the body, sent with a Content-Length
     * @param raw whether {@code request} is sent as is, without Host, credentials or Connection
     */
    record Case(int status, Auth auth, String request, List<String> headers, String body, boolean raw) {

        Case with(String... extra) {
            List<String> all = new ArrayList<>(headers);
            all.addAll(List.of(extra));
            return new Case(status, auth, request, all, body, raw);
        }

        Case body(String contentType, String content) {
            return new Case(status, auth, request, headers, content, raw).with("Content-Type: " + contentType);
        }

        @Override
        public String toString() {
            String line = raw ? request.lines().findFirst().orElse("") : request;
            return auth + " " + (line.length() > 100 ? line.substring(0, 100) + "…" : line) + " " + headers
                    + (body == null ? "" : " body[" + body.length() + "]");
        }
    }

    private static Case c(int status, Auth auth, String request) {
        return new Case(status, auth, request, List.of(), null, false);
    }

    private static Case raw(int status, String request) {
        return new Case(status, Auth.NONE, request, List.of(), null, true);
    }

    /** The table. Every cancel and detail request aims at the bystander thread ({@value #ID}). */
    static List<Case> cases() {
        String cancel = "POST /actuator/thredo/" + ID + "/cancel";
        String longDigits = "9".repeat(5_000);
        String huge = "a".repeat(20_000);
        return List.of(
                // --- listing: query parameters
                c(400, Auth.ADMIN, "GET /actuator/thredo?limit=abc"),
                c(400, Auth.ADMIN, "GET /actuator/thredo?limit=0"),
                c(400, Auth.ADMIN, "GET /actuator/thredo?limit=-5"),
                c(400, Auth.ADMIN, "GET /actuator/thredo?limit=10001"),
                c(400, Auth.ADMIN, "GET /actuator/thredo?limit=99999999999999999999"),
                c(400, Auth.ADMIN, "GET /actuator/thredo?limit=%00"),
                c(400, Auth.ADMIN, "GET /actuator/thredo?limit=1&limit=2"),
                c(400, Auth.ADMIN, "GET /actuator/thredo?state=SLEEPING"),
                c(400, Auth.ADMIN, "GET /actuator/thredo?state=RUNNING&state=BLOCKED"),
                c(400, Auth.ADMIN, "GET /actuator/thredo?unknown=1&limit=x"),
                c(400, Auth.ADMIN, "GET /actuator/thredo?name=%ff%fe"),
                c(400, Auth.ADMIN, "GET /actuator/thredo?name=%"),
                c(400, Auth.ADMIN, "GET /actuator/thredo?name=" + "n".repeat(9_000)),
                c(406, Auth.ADMIN, "GET /actuator/thredo").with("Accept: image/png"),
                // --- one thread: malformed, negative, huge, unknown ids
                c(400, Auth.ADMIN, "GET /actuator/thredo/abc"),
                c(404, Auth.ADMIN, "GET /actuator/thredo/-1"),
                c(404, Auth.ADMIN, "GET /actuator/thredo/999999999"),
                c(400, Auth.ADMIN, "GET /actuator/thredo/99999999999999999999999"),
                c(400, Auth.ADMIN, "GET /actuator/thredo/" + longDigits),
                c(400, Auth.ADMIN, "GET /actuator/thredo/1.5"),
                c(400, Auth.ADMIN, "GET /actuator/thredo/0x10"),
                c(400, Auth.ADMIN, "GET /actuator/thredo/1e3"),
                c(400, Auth.ADMIN, "GET /actuator/thredo/%20"),
                c(400, Auth.ADMIN, "GET /actuator/thredo/%00"),
                c(404, Auth.ADMIN, "GET /actuator/thredo/" + ID + "/"),
                c(406, Auth.ADMIN, "GET /actuator/thredo/" + ID).with("Accept: text/html"),
                // --- path tricks on the actuator
                c(400, Auth.ADMIN, "GET /actuator/thredo/..%2f..%2f"),
                c(400, Auth.ADMIN, "GET /actuator/thredo/" + ID + ";x=y"),
                c(400, Auth.ADMIN, "GET /actuator/thredo/%2e%2e/thredo/" + ID),
                c(400, Auth.ADMIN, "GET /actuator/thredo/../thredo/" + ID),
                c(400, Auth.ADMIN, "POST /actuator/thredo/" + ID + "/cancel;jsessionid=1"),
                c(400, Auth.ADMIN, "POST /actuator/thredo/" + ID + "%2fcancel"),
                c(400, Auth.ADMIN, "POST /actuator/thredo//" + ID + "/cancel"),
                c(400, Auth.ADMIN, "POST /actuator/thredo/x/../" + ID + "/cancel"),
                // --- wrong methods and actions
                c(405, Auth.ADMIN, "PUT /actuator/thredo/" + ID),
                c(405, Auth.ADMIN, "DELETE /actuator/thredo/" + ID),
                c(405, Auth.ADMIN, "PATCH /actuator/thredo"),
                c(405, Auth.ADMIN, "DELETE /actuator/thredo/" + ID + "/cancel"),
                c(405, Auth.ADMIN, "PUT /actuator/thredo/" + ID + "/cancel"),
                c(405, Auth.ADMIN, "GET /actuator/thredo/" + ID + "/cancel"),
                c(405, Auth.ADMIN, "POST /actuator/thredo/" + ID),
                c(405, Auth.ADMIN, "POST /actuator/thredo"),
                c(405, Auth.ADMIN, "TRACE /actuator/thredo"),
                c(400, Auth.ADMIN, "FOO /actuator/thredo"),
                c(404, Auth.ADMIN, "POST /actuator/thredo/" + ID + "/stop"),
                c(404, Auth.ADMIN, "POST /actuator/thredo/" + ID + "/CANCEL"),
                c(404, Auth.ADMIN, "POST /actuator/thredo/" + ID + "/cancel/extra"),
                c(400, Auth.ADMIN, "POST /actuator/thredo/abc/cancel"),
                c(400, Auth.ADMIN, "POST /actuator/thredo/" + longDigits + "/cancel"),
                c(404, Auth.ADMIN, "POST /actuator/thredo/-1/cancel"),
                // --- cancel: wrong content types, malformed and oversized bodies
                c(415, Auth.ADMIN, cancel).body("text/plain", "cancel it"),
                c(415, Auth.ADMIN, cancel).body("application/xml", "<cancel/>"),
                c(415, Auth.ADMIN, cancel).body("application/x-www-form-urlencoded", "action=cancel"),
                c(400, Auth.ADMIN, cancel).body("application/json", "{not json"),
                c(400, Auth.ADMIN, cancel).body("application/json", "[" + "1,".repeat(1_500_000) + "1"),
                c(400, Auth.ADMIN, cancel).body("application/json", "\"" + "x".repeat(3_000_000) + "\""),
                c(400, Auth.ADMIN, cancel).with("Content-Length: abc"),
                c(400, Auth.ADMIN, cancel).with("Content-Length: 5", "Content-Length: 7"),
                // --- credentials and CSRF on the cancel
                c(401, Auth.NONE, cancel),
                c(401, Auth.NONE, cancel).with("Authorization: " + TestHttp.basic("admin:wrong")),
                c(401, Auth.NONE, cancel).with("Authorization: " + TestHttp.basic("root:thredo")),
                // --- cross-site: what a page of another site can make a browser send, with the
                // operator's cached credentials (the raw requests' Host is "localhost")
                c(403, Auth.ADMIN, cancel).body("application/x-www-form-urlencoded", "action=cancel")
                        .with("Origin: https://evil.example", "Sec-Fetch-Site: cross-site"),
                c(403, Auth.ADMIN, cancel).body("text/plain", "cancel")
                        .with("Origin: https://evil.example", "Sec-Fetch-Site: cross-site"),
                c(403, Auth.ADMIN, cancel).body("application/json", "{}")
                        .with("Origin: https://evil.example", "Sec-Fetch-Site: cross-site"),
                c(403, Auth.ADMIN, cancel).body("application/x-www-form-urlencoded", "action=cancel")
                        .with("Origin: https://evil.example"),
                c(403, Auth.ADMIN, cancel).body("text/plain", "cancel").with("Origin: https://evil.example"),
                c(403, Auth.ADMIN, cancel).with("Origin: null"),
                c(403, Auth.ADMIN, cancel).body("text/plain", "cancel").with("Origin: null", "Sec-Fetch-Site: cross-site"),
                c(403, Auth.ADMIN, cancel).with("Sec-Fetch-Site: cross-site"),
                c(403, Auth.ADMIN, cancel).body("application/x-www-form-urlencoded", "a=b").with("Sec-Fetch-Site: cross-site"),
                c(403, Auth.ADMIN, cancel).with("Sec-Fetch-Site: same-site"),
                c(403, Auth.ADMIN, cancel).body("text/plain", "cancel")
                        .with("Origin: http://admin.localhost", "Sec-Fetch-Site: same-site"),
                c(403, Auth.ADMIN, cancel).with("Sec-Fetch-Site: cross-site", "Origin: http://localhost"),
                c(403, Auth.ADMIN, cancel).with("Origin: http://localhost:1"),
                c(403, Auth.ADMIN, cancel).with("Origin: http://localhost.evil.example"),
                c(403, Auth.ADMIN, cancel).with("Origin: http://localhost/actuator"),
                c(403, Auth.ADMIN, cancel).with("Origin: file://"),
                c(403, Auth.ADMIN, cancel).with("Origin: %%"),
                c(403, Auth.ADMIN, cancel).with("Origin: " + "x".repeat(5_000)),
                c(403, Auth.ADMIN, cancel).with("Sec-Fetch-Site: " + "x".repeat(5_000)),
                c(403, Auth.NONE, cancel).with("Origin: https://evil.example", "Sec-Fetch-Site: cross-site"),
                c(403, Auth.NONE, cancel).with("Authorization: " + TestHttp.basic("admin:wrong"), "Sec-Fetch-Site: cross-site"),
                c(403, Auth.ADMIN, "DELETE /actuator/thredo/" + ID).with("Sec-Fetch-Site: cross-site"),
                c(403, Auth.ADMIN, "POST /api/jobs?steps=1&stepMillis=10").with("Sec-Fetch-Site: cross-site"),
                // --- credentials on reads
                c(401, Auth.NONE, "GET /actuator/thredo"),
                c(401, Auth.NONE, "GET /actuator/thredo/" + ID),
                c(401, Auth.NONE, "GET /actuator/thredo").with("Authorization: " + TestHttp.basic("admin:wrong")),
                c(401, Auth.NONE, "GET /actuator/thredo").with("Authorization: " + TestHttp.basic("admin")),
                c(401, Auth.NONE, "GET /actuator/thredo").with("Authorization: Basic !!!"),
                c(401, Auth.NONE, "GET /actuator/thredo").with("Authorization: Basic"),
                c(401, Auth.NONE, "GET /actuator/thredo").with("Authorization: Bearer abc.def.ghi"),
                c(401, Auth.NONE, "GET /actuator/thredo").with("Authorization: Basic " + "A".repeat(7_000)),
                // --- the console
                c(401, Auth.NONE, "GET /thredo"),
                c(401, Auth.NONE, "GET /thredo/"),
                c(401, Auth.NONE, "GET /thredo/index.html"),
                c(401, Auth.NONE, "GET /thredo/console.js").with("Authorization: " + TestHttp.basic("admin:wrong")),
                c(405, Auth.ADMIN, "PUT /thredo/index.html"),
                c(405, Auth.ADMIN, "DELETE /thredo/console.js"),
                c(405, Auth.ADMIN, "POST /thredo/index.html"),
                c(404, Auth.ADMIN, "GET /thredo/nope.js"),
                c(404, Auth.ADMIN, "GET /thredo/WEB-INF/web.xml"),
                c(404, Auth.ADMIN, "GET /thredo/META-INF/MANIFEST.MF"),
                c(400, Auth.ADMIN, "GET /thredo/../../etc/passwd"),
                c(400, Auth.ADMIN, "GET /thredo/%2e%2e/%2e%2e/pom.xml"),
                c(400, Auth.ADMIN, "GET /thredo/..%2f..%2fpom.xml"),
                c(400, Auth.ADMIN, "GET /thredo/%5c..%5cpom.xml"),
                c(400, Auth.ADMIN, "GET /thredo//index.html"),
                c(400, Auth.ADMIN, "GET /thredo/index.html/.."),
                c(400, Auth.ADMIN, "GET /thredo/index.html%00.js"),
                // --- the error page itself
                c(404, Auth.NONE, "GET /error"),
                c(404, Auth.ADMIN, "GET /error"),
                // --- malformed HTTP, rejected by Tomcat before any filter runs
                raw(400, "GARBAGE\r\n\r\n"),
                raw(400, "GET /actuator/thredo/1 2 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"),
                raw(400, "GET /actuator/thredo/\u0001 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"),
                raw(400, "GET /actuator/thredo HTTP/1.1\r\nConnection: close\r\n\r\n"),
                raw(400, "GET /actuator/thredo HTTP/1.1\r\nHost: x\r\nHost: y\r\nConnection: close\r\n\r\n"),
                raw(400, "GET /actuator/thredo HTTP/1.1\r\nHost: x\r\nX-Big: " + huge + "\r\nConnection: close\r\n\r\n"),
                raw(400, "GET /actuator/thredo?" + huge + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"),
                raw(400, "GET http://elsewhere.example/actuator/thredo HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"),
                raw(400, "GET /actuator/thredo HTTP/1.1\r\nHost: x\r\nBad Header: y\r\nConnection: close\r\n\r\n"),
                raw(400, "POST /actuator/thredo/" + ID + "/cancel HTTP/1.1\r\nHost: x\r\nAuthorization: " + ADMIN
                        + "\r\nContent-Type: application/json"
                        + "\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\nConnection: close\r\n\r\nzz\r\n"),
                // HTTP/9.9 gets 505 HTTP Version Not Supported (RFC 9110 15.6.6), the one 5xx the
                // protocol prescribes for bad input; it too must come with a problem body.
                raw(505, "GET /actuator/thredo HTTP/9.9\r\nHost: x\r\nConnection: close\r\n\r\n"));
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void everyBadRequestGetsItsStatusWithAProblemBodyAndChangesNothing() throws Exception {
        ThredoThread<Void> bystander = kernel.spawn("bad-input bystander", () -> Thredo.sleep(Duration.ofHours(1)));
        try {
            String id = String.valueOf(bystander.id());
            Set<Long> liveBefore = liveIds();
            KernelStats before = kernel.stats();
            LogCapture log = LogCapture.attach();
            List<Case> cases = cases();
            List<String> failures = new ArrayList<>();
            try {
                for (Case c : cases) {
                    String wrong = check(c, send(c, id));
                    if (wrong != null) {
                        failures.add(c + " -> " + wrong);
                    }
                    if (bystander.isCancelled()) {
                        failures.add(c + " -> cancelled the bystander");
                        break; // every later case aiming at it would be meaningless
                    }
                }
            } finally {
                log.detach();
            }

            assertThat(failures).as("cases answered wrongly").isEmpty();
            assertThat(kernel.thread(bystander.id())).as("the bystander after the suite").hasValueSatisfying(
                    t -> assertThat(t.cancelRequestedAt()).as("its cancel request").isNull());
            assertThat(bystander.isCancelled()).isFalse();
            assertThat(liveIds()).as("live threads after the suite").isEqualTo(liveBefore);
            KernelStats after = kernel.stats();
            assertThat(after.cancelled()).as("threads cancelled by the suite").isEqualTo(before.cancelled());
            assertThat(after.failed()).as("threads failed by the suite").isEqualTo(before.failed());
            assertThat(log.errors()).as("ERRORs logged by the suite").isEmpty();
            System.out.printf("[bad-input] cases=%d all 4xx with problem bodies (one 505 for HTTP/9.9), "
                    + "bystander untouched, cancelled=%d failed=%d unchanged%n", cases.size(), after.cancelled(),
                    after.failed());
        } finally {
            bystander.cancel();
        }
    }

    /** An error answer stays small whatever the input: a huge bad value is not quoted back in full. */
    private static final int MAX_PROBLEM_CHARS = 1_000;

    /** What is wrong with {@code response} for {@code c}, or {@code null} if it is right. */
    private String check(Case c, Response response) {
        if (response.status() != c.status()) {
            return "status " + response.status() + ", expected " + c.status() + ": " + preview(response);
        }
        String type = response.headers().getOrDefault("content-type", "");
        if (!type.startsWith("application/problem+json")) {
            return "Content-Type '" + type + "', expected application/problem+json: " + preview(response);
        }
        JsonNode problem;
        try {
            problem = json.readTree(response.body());
        } catch (RuntimeException e) {
            return "body is not JSON: " + preview(response);
        }
        if (problem.path("status").asInt() != c.status() || problem.path("title").asString("").isBlank()) {
            return "problem body without the status " + c.status() + " or a title: " + preview(response);
        }
        if (response.body().length() > MAX_PROBLEM_CHARS) {
            return "a " + response.body().length() + "-character problem body (it echoes the input?): " + preview(response);
        }
        return null;
    }

    private Set<Long> liveIds() {
        return kernel.threads().stream().map(ThreadInfo::id).collect(Collectors.toSet());
    }

    /** Sends the case over a fresh loopback connection and reads the answer until the server closes it. */
    private Response send(Case c, String id) throws IOException {
        return RawHttp.exchange(port, encode(c, id));
    }

    private static byte[] encode(Case c, String id) {
        String request = c.request().replace(ID, id);
        if (c.raw()) {
            return request.getBytes(StandardCharsets.ISO_8859_1);
        }
        StringBuilder text = new StringBuilder(request).append(" HTTP/1.1\r\nHost: localhost\r\n");
        if (c.auth() != Auth.NONE) {
            text.append("Authorization: ").append(ADMIN).append("\r\n");
        }
        for (String header : c.headers()) {
            text.append(header).append("\r\n");
        }
        byte[] body = c.body() == null ? new byte[0] : c.body().getBytes(StandardCharsets.UTF_8);
        if (c.body() != null) {
            text.append("Content-Length: ").append(body.length).append("\r\n");
        }
        text.append("Connection: close\r\n\r\n");
        byte[] head = text.toString().getBytes(StandardCharsets.UTF_8);
        byte[] all = new byte[head.length + body.length];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(body, 0, all, head.length, body.length);
        return all;
    }

    /** The status, the Content-Type and the start of the body of {@code response}, for a failure message. */
    private static String preview(Response response) {
        String body = response.body();
        return response.status() + " " + response.headers().get("content-type") + " "
                + (body.length() > 300 ? body.substring(0, 300) + "…" : body);
    }
}
