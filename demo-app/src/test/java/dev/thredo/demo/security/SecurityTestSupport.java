package dev.thredo.demo.security;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;

import dev.thredo.Kernel;
import dev.thredo.Thredo;
import dev.thredo.ThredoThread;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * For tests of an application's security over real HTTP: a thread to aim cancels at (live for an
 * hour unless cancelled, cancelled after each test), and requests sent as a script sends them (Basic
 * credentials, no cookie).
 */
abstract class SecurityTestSupport {

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @LocalServerPort
    int port;

    @Autowired
    Kernel kernel;

    ThredoThread<Void> target;

    @BeforeEach
    void startTarget() {
        target = kernel.spawn(getClass().getSimpleName() + " target", () -> Thredo.sleep(Duration.ofHours(1)));
    }

    @AfterEach
    void stopTarget() {
        target.cancel();
    }

    String cancelPath() {
        return "/actuator/thredo/" + target.id() + "/cancel";
    }

    /** {@code userAndPassword} ({@code null}: none) and {@code headers} as name, value, name, value, .... */
    HttpResponse<String> send(String method, String path, String userAndPassword, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .timeout(Duration.ofSeconds(20)).method(method, HttpRequest.BodyPublishers.noBody());
        if (userAndPassword != null) {
            request.header("Authorization", "Basic "
                    + Base64.getEncoder().encodeToString(userAndPassword.getBytes(StandardCharsets.UTF_8)));
        }
        if (headers.length > 0) {
            request.headers(headers);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
