package dev.thredo.spring.e2e;

import dev.thredo.Thredo;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Import;
import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.client.RestClient;

/**
 * One service of the two-service chain test, run twice: as A, {@code /a/call} calls B's
 * {@code /b/slow} with {@link RestClient} on the JDK {@link HttpClient} and {@code /a/send} with
 * {@link HttpClient#send} itself; as B, {@code /b/slow} blocks for a day.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
@Import(ChainApp.ChainController.class)
class ChainApp {

    @RestController
    static class ChainController {
        private final HttpClient jdkClient = HttpClient.newHttpClient();
        private final RestClient client = RestClient.builder()
                .requestFactory(new JdkClientHttpRequestFactory(jdkClient))
                .build();

        @GetMapping("/a/call")
        String call(@RequestParam int port) {
            return "B said " + client.get().uri("http://localhost:" + port + "/b/slow").retrieve().body(String.class);
        }

        /** The same call with the JDK client's own blocking {@code send}. */
        @GetMapping("/a/send")
        String send(@RequestParam int port) throws Exception {
            HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/b/slow")).build();
            return "B said " + jdkClient.send(request, HttpResponse.BodyHandlers.ofString()).body();
        }

        @GetMapping("/b/slow")
        String slow() {
            Thredo.sleep(Duration.ofDays(1));
            return "never";
        }
    }
}
