package dev.thredo.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.thredo.testing.Json;
import dev.thredo.testing.Polling;
import dev.thredo.testing.TestHttp;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;

/**
 * The README's one-line cancel on the real thing: demo-app's boot jar as a process, a 60 s request in
 * flight, and curl itself (Debian's; {@code .ci/run} installs it). Every cross-site variant a page of
 * another site could make a browser send, with the operator's credentials, gets 403 with a problem
 * and cancels nothing; then {@code curl -u admin:thredo -X POST .../actuator/thredo/{id}/cancel} (no
 * cookie, no token) gets 202 and the request its 503. On Boot's default platform request threads and
 * on virtual ones.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DemoCurlCancelIT {

    private static final String AUTH = TestHttp.basic("admin:thredo");

    /** curl options for each cross-site variant, after {@code -u admin:thredo -X POST}. */
    private static final List<List<String>> CROSS_SITE = List.of(
            List.of("-H", "Origin: https://evil.example", "-H", "Sec-Fetch-Site: cross-site", "--data", "action=cancel"),
            List.of("-H", "Origin: https://evil.example", "-H", "Sec-Fetch-Site: cross-site",
                    "-H", "Content-Type: text/plain", "--data", "cancel"),
            List.of("-H", "Origin: https://evil.example", "--data", "action=cancel"),
            List.of("-H", "Origin: null"),
            List.of("-H", "Sec-Fetch-Site: cross-site"),
            List.of("-H", "Sec-Fetch-Site: same-site"));


    @ParameterizedTest(name = "virtual request threads: {0}")
    @ValueSource(booleans = { false, true })
    void crossSiteVariantsCancelNothingAndTheOneLineCurlCancelGives202AndThe503(boolean virtual) throws Exception {
        try (DemoProcess demo = DemoProcess.start("DemoCurlCancelIT-" + (virtual ? "virtual" : "platform"),
                "--spring.threads.virtual.enabled=" + virtual, "--demo.reports.refresh.enabled=false")) {
            CompletableFuture<HttpResponse<String>> slow = demo.http().sendAsync(
                    demo.http().request("/api/slow?seconds=60").timeout(Duration.ofSeconds(60)));
            AtomicLong id = new AtomicLong();
            Polling.until("the request is listed", Duration.ofSeconds(20), () -> {
                JsonNode threads = get(demo, "/actuator/thredo?name=GET%20/api/slow").path("threads");
                threads.forEach(t -> id.set(t.get("id").asLong()));
                return !threads.isEmpty();
            });
            String cancel = demo.http().uri("/actuator/thredo/" + id + "/cancel").toString();

            for (List<String> variant : CROSS_SITE) {
                String[] answer = curl(variant, cancel);
                assertThat(answer[0]).as("status for " + variant + ": " + answer[1]).isEqualTo("403");
                assertThat(answer[1]).as("problem for " + variant).contains("\"status\":403")
                        .contains("cross-site-request-refused");
            }
            JsonNode target = get(demo, "/actuator/thredo/" + id);
            assertThat(target.path("id").asLong()).as("still listed: " + target).isEqualTo(id.get());
            // the endpoint leaves members without a value out, as Boot's endpoints do
            assertThat(target.has("cancelRequestedAt")).as("no cancel requested by the cross-site variants: " + target)
                    .isFalse();
            assertThat(slow).isNotDone();

            String[] answer = curl(List.of(), cancel);
            assertThat(answer[0]).as(answer[1]).isEqualTo("202");
            HttpResponse<String> response = slow.get(20, TimeUnit.SECONDS);
            assertThat(response.statusCode()).isEqualTo(503);
            assertThat(response.body()).contains("The request was cancelled.");
        }
    }

    /** {@code curl -u admin:thredo -X POST <options> <url>}: its status code and body. */
    private static String[] curl(List<String> options, String url) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("curl", "-sS", "--max-time", "20", "-w", "\n%{http_code}",
                "-u", "admin:thredo", "-X", "POST"));
        command.addAll(options);
        command.add(url);
        Process curl = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(curl.waitFor(30, TimeUnit.SECONDS)).as("curl ended").isTrue();
        assertThat(curl.exitValue()).as("curl's exit code: " + out).isZero();
        int lastLine = out.lastIndexOf('\n');
        return new String[] { out.substring(lastLine + 1).trim(), out.substring(0, lastLine) };
    }

    private static JsonNode get(DemoProcess demo, String path) {
        return Json.of(demo.http().authorized(AUTH).get(path));
    }
}
