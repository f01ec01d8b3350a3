package dev.thredo.spring.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.thredo.testing.TestHttp;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/** The console's files are served at /thredo only when {@code thredo.console.enabled=true}. */
class ThredoConsoleAutoConfigurationTest {

    static HttpResponse<String> get(int port, String path) {
        return TestHttp.localhost(port).get(path);
    }

    @Nested
    @SpringBootTest(classes = ConsoleTestApp.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
            properties = "thredo.console.enabled=true")
    class Enabled {

        @LocalServerPort
        int port;

        @Test
        void servesThePageAndItsFiles() throws Exception {
            HttpResponse<String> redirect = get(port, "/thredo");
            assertThat(redirect.statusCode()).isEqualTo(302);
            assertThat(redirect.headers().firstValue("Location")).hasValueSatisfying(l -> assertThat(l).endsWith("/thredo/"));

            HttpResponse<String> page = get(port, "/thredo/");
            assertThat(page.statusCode()).isEqualTo(200);
            assertThat(page.body()).contains("<title>thredo console</title>", "console.js", "id=\"confirm-yes\"");
            assertThat(get(port, "/thredo/console.js").body()).contains("X-XSRF-TOKEN", "/cancel");
            assertThat(get(port, "/thredo/console.css").statusCode()).isEqualTo(200);
        }
    }

    @Nested
    @SpringBootTest(classes = ConsoleTestApp.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
    class DisabledByDefault {

        @LocalServerPort
        int port;

        @Test
        void servesNothing() throws Exception {
            assertThat(get(port, "/thredo/").statusCode()).isEqualTo(404);
            assertThat(get(port, "/thredo/index.html").statusCode()).isEqualTo(404);
            assertThat(get(port, "/thredo/console.js").statusCode()).isEqualTo(404);
        }
    }
}
