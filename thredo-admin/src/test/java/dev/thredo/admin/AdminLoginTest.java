package dev.thredo.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.thredo.testing.TestHttp;
import dev.thredo.admin.testing.AdminSession;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
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

    private AdminSession browser;

    @BeforeEach
    void newBrowser() {
        browser = new AdminSession(URI.create("http://127.0.0.1:" + port));
    }

    @Test
    void loginWithTheFormAndItsCsrfTokenOpensASession() throws Exception {
        assertThat(browser.get("/applications", "application/json").statusCode()).isEqualTo(401);

        HttpResponse<String> loggedIn = browser.postLogin("admin", "thredo", browser.openLoginPage());
        assertThat(loggedIn.statusCode()).isEqualTo(302);
        assertThat(loggedIn.headers().firstValue("Location")).hasValue(browser.uri("/").toString());

        HttpResponse<String> applications = browser.get("/applications", "application/json");
        assertThat(applications.statusCode()).isEqualTo(200);
        assertThat(applications.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/json"));
        assertThat(applications.body()).startsWith("[");
    }

    @Test
    void theUiItsThemeAndTheThredoViewLoadForALoggedInUser() throws Exception {
        browser.logIn("admin", "thredo");
        HttpResponse<String> page = browser.get("/", "text/html");
        assertThat(page.statusCode()).isEqualTo(200);
        // the view's scripts, the tree shared with the starter's console among them, are extensions
        assertThat(page.body()).contains("extensions/thredo/thredo.js", "extensions/thredo/thredo-tree.js",
                "extensions/thredo/thredo.css");
        // SBA 4.0.0 answered 500 here on Boot 4.0.7 (its template broke Thymeleaf 3.1.5's rules)
        assertThat(browser.get("/variables.css", "text/css").statusCode()).isEqualTo(200);
        for (String file : List.of("thredo.js", "thredo-tree.js", "thredo.css")) {
            assertThat(browser.get("/extensions/thredo/" + file, "*/*").statusCode()).as(file).isEqualTo(200);
        }
        // the fleet page is a route of the UI: a full page load (bookmark, reload) gets the UI
        assertThat(browser.get("/thredo-fleet", "text/html").body()).contains("extensions/thredo/thredo.js");
    }

    @Test
    void aBrowserWithoutASessionIsSentToTheLoginPage() throws Exception {
        HttpResponse<String> page = browser.get("/applications", "text/html");
        assertThat(page.statusCode()).isEqualTo(302);
        assertThat(page.headers().firstValue("Location")).hasValue(browser.uri("/login").toString());
        assertThat(browser.get("/login", "text/html").statusCode()).isEqualTo(200);
    }

    @Test
    void aLoginPostWithoutTheCsrfTokenLogsNobodyIn() throws Exception {
        browser.openLoginPage(); // the session and cookie exist; the form just does not echo the token
        HttpResponse<String> refused = browser.postLogin("admin", "thredo", null);
        assertThat(refused.statusCode()).isIn(401, 403);
        assertThat(browser.get("/applications", "application/json").statusCode()).isEqualTo(401);
    }

    @Test
    void aWrongPasswordLogsNobodyIn() throws Exception {
        HttpResponse<String> refused = browser.postLogin("admin", "wrong", browser.openLoginPage());
        assertThat(refused.statusCode()).isEqualTo(302);
        assertThat(refused.headers().firstValue("Location")).hasValue(browser.uri("/login?error").toString());
        assertThat(browser.get("/applications", "application/json").statusCode()).isEqualTo(401);
    }

    @Test
    void instancesRegisterWithBasicCredentialsAndNoCsrfToken() throws Exception {
        String registration = """
                {"name":"probe","healthUrl":"http://127.0.0.1:9/actuator/health"}""";
        assertThat(register(registration, null).statusCode()).isEqualTo(401);

        HttpResponse<String> registered = register(registration, "admin:thredo");
        assertThat(registered.statusCode()).isEqualTo(201);
        assertThat(registered.body()).contains("\"id\"");
    }

    /** POST /instances as an instance does: no browser, no cookies, Basic credentials or none. */
    private HttpResponse<String> register(String json, String basicCredentials) {
        TestHttp instance = TestHttp.at("http://127.0.0.1:" + port);
        HttpRequest.Builder request = instance.request("/instances")
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json));
        if (basicCredentials != null) {
            request.header("Authorization", TestHttp.basic(basicCredentials));
        }
        return instance.send(request);
    }
}
