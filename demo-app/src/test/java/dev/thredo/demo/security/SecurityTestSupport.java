package dev.thredo.demo.security;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import dev.thredo.Kernel;
import dev.thredo.Thredo;
import dev.thredo.ThredoThread;
import dev.thredo.testing.TestHttp;
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
    HttpResponse<String> send(String method, String path, String userAndPassword, String... headers) {
        HttpRequest.Builder request = TestHttp.localhost(port).request(path).method(method, HttpRequest.BodyPublishers.noBody());
        if (userAndPassword != null) {
            request.header("Authorization", TestHttp.basic(userAndPassword));
        }
        if (headers.length > 0) {
            request.headers(headers);
        }
        return TestHttp.localhost(port).send(request);
    }
}
