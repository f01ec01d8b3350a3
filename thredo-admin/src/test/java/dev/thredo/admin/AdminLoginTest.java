package dev.thredo.admin;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.CookieManager;
import java.net.HttpCookie;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The management service's own login over real HTTP, as a browser does it: the login page issues a
 * CSRF cookie, the form is posted with the token, a new session follows; without the token, or with
 * a wrong password, nobody is logged in. Instances register with HTTP Basic and no token.
 */
@SpringBootTest(classes = ThredoAdminApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "server.address=127.0.0.1")
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AdminLoginTest {

    @LocalServerPort
    int port;

    private final CookieManager cookies = new CookieManager();
    private final HttpClient browser = HttpClient.newBuilder()
            .cookieHandler(cookies)
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    @Test
    void loginWithTheFormAndItsCsrfTokenOpensASession() throws Exception {
        assertThat(get("/applications", "application/json").statusCode()).isEqualTo(401);

        HttpResponse<String> loggedIn = postLogin("admin", "thredo", csrfCookieFromLoginPage());
        assertThat(loggedIn.statusCode()).isEqualTo(302);
        assertThat(loggedIn.headers().firstValue("Location")).hasValue(url("/"));

        HttpResponse<String> applications = get("/applications", "application/json");
        assertThat(applications.statusCode()).isEqualTo(200);
        assertThat(applications.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/json"));
        assertThat(applications.body()).startsWith("[");
    }

    @Test
    void aBrowserWithoutASessionIsSentToTheLoginPage() throws Exception {
        HttpResponse<String> page = get("/applications", "text/html");
        assertThat(page.statusCode()).isEqualTo(302);
        assertThat(page.headers().firstValue("Location")).hasValue(url("/login"));
        assertThat(get("/login", "text/html").statusCode()).isEqualTo(200);
    }

    @Test
    void aLoginPostWithoutTheCsrfTokenLogsNobodyIn() throws Exception {
        csrfCookieFromLoginPage(); // the session and cookie exist; the form just does not echo the token
        HttpResponse<String> refused = postLogin("admin", "thredo", null);
        assertThat(refused.statusCode()).isIn(401, 403);
        assertThat(get("/applications", "application/json").statusCode()).isEqualTo(401);
    }

    @Test
    void aWrongPasswordLogsNobodyIn() throws Exception {
        HttpResponse<String> refused = postLogin("admin", "wrong", csrfCookieFromLoginPage());
        assertThat(refused.statusCode()).isEqualTo(302);
        assertThat(refused.headers().firstValue("Location")).hasValue(url("/login?error"));
        assertThat(get("/applications", "application/json").statusCode()).isEqualTo(401);
    }

    @Test
    void instancesRegisterWithBasicCredentialsAndNoCsrfToken() throws Exception {
        String registration = """
                {"name":"probe","healthUrl":"http://127.0.0.1:9/actuator/health"}""";
        HttpResponse<String> anonymous = postJson("/instances", registration, null);
        assertThat(anonymous.statusCode()).isEqualTo(401);

        HttpResponse<String> registered = postJson("/instances", registration, "admin:thredo");
        assertThat(registered.statusCode()).isEqualTo(201);
        assertThat(registered.body()).contains("\"id\"");
    }

    /** Loads the login page as a browser does; returns the CSRF token the page's cookie carries. */
    private String csrfCookieFromLoginPage() throws Exception {
        assertThat(get("/login", "text/html").statusCode()).isEqualTo(200);
        return cookies.getCookieStore().getCookies().stream()
                .filter(c -> c.getName().equals("XSRF-TOKEN"))
                .map(HttpCookie::getValue)
                .findFirst()
                .orElseThrow(() -> new AssertionError("no XSRF-TOKEN cookie from /login"));
    }

    private HttpResponse<String> postLogin(String user, String password, String csrfToken) throws Exception {
        Map<String, String> form = csrfToken == null
                ? Map.of("username", user, "password", password)
                : Map.of("username", user, "password", password, "_csrf", csrfToken);
        String body = form.entrySet().stream()
                .map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        return send(HttpRequest.newBuilder(URI.create(url("/login")))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    private HttpResponse<String> postJson(String path, String json, String basicCredentials) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url(path)))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json));
        if (basicCredentials != null) {
            request.header("Authorization", "Basic "
                    + Base64.getEncoder().encodeToString(basicCredentials.getBytes(StandardCharsets.UTF_8)));
        }
        // An instance is not a browser: no cookies of the browser's session.
        return HttpClient.newHttpClient().send(request.timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String path, String accept) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(url(path))).header("Accept", accept).GET());
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        return browser.send(request.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private String url(String path) {
        return "http://127.0.0.1:" + port + path;
    }
}
