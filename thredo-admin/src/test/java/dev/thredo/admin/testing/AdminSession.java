package dev.thredo.admin.testing;

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
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * An operator's browser against thredo-admin, over real HTTP: it keeps the cookies the service sets
 * (the session, the {@code XSRF-TOKEN} CSRF cookie), follows no redirects (a test asserts them), and
 * logs in with the login form as SBA's login page does. Shared by thredo-admin's tests and demo-app's
 * fleet test (this module's test-jar).
 */
public final class AdminSession {

    private final URI base;
    private final CookieManager cookies = new CookieManager();
    private final HttpClient http;

    /** A browser without cookies for the service at {@code base} ({@code http://host:port}). */
    public AdminSession(URI base) {
        this.base = base;
        this.http = HttpClient.newBuilder()
                .cookieHandler(cookies)
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
    }

    /** The service's address for {@code pathAndQuery}. */
    public URI uri(String pathAndQuery) {
        return base.resolve(pathAndQuery);
    }

    /** GET with the given {@code Accept}. */
    public HttpResponse<String> get(String pathAndQuery, String accept) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(uri(pathAndQuery)).header("Accept", accept).GET());
    }

    /** Sends {@code request} with this browser's cookies, 10 s at most. */
    public HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        return http.send(request.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Loads the login page, as a browser does first; returns the CSRF token its cookie carries. */
    public String openLoginPage() throws IOException, InterruptedException {
        HttpResponse<String> page = get("/login", "text/html");
        if (page.statusCode() != 200) {
            throw new AssertionError("GET /login answered " + page.statusCode());
        }
        return csrfCookie().orElseThrow(() -> new AssertionError("no XSRF-TOKEN cookie from /login"));
    }

    /** Posts the login form; {@code csrfToken} {@code null} leaves the token out. */
    public HttpResponse<String> postLogin(String user, String password, String csrfToken)
            throws IOException, InterruptedException {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("username", user);
        form.put("password", password);
        if (csrfToken != null) {
            form.put("_csrf", csrfToken);
        }
        String body = form.entrySet().stream()
                .map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        return send(HttpRequest.newBuilder(uri("/login"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    /** Logs in as a browser does (login page, then the form with its token); fails unless sent home. */
    public void logIn(String user, String password) throws IOException, InterruptedException {
        HttpResponse<String> login = postLogin(user, password, openLoginPage());
        if (login.statusCode() != 302 || !login.headers().firstValue("Location").orElse("").equals(uri("/").toString())) {
            throw new AssertionError("login answered " + login.statusCode() + " " + login.headers().map());
        }
    }

    /**
     * The CSRF token to send in {@code X-XSRF-TOKEN}, from the cookie the service's last response set,
     * as SBA's UI reads it. Logging in clears the token; the next response sets a new one.
     */
    public String csrfToken() throws IOException, InterruptedException {
        Optional<String> token = csrfCookie();
        if (token.isEmpty()) {
            get("/instances", "application/json");
            token = csrfCookie();
        }
        return token.orElseThrow(() -> new AssertionError("the service set no XSRF-TOKEN cookie"));
    }

    private Optional<String> csrfCookie() {
        return cookies.getCookieStore().getCookies().stream()
                .filter(c -> c.getName().equals("XSRF-TOKEN") && !c.getValue().isEmpty())
                .map(HttpCookie::getValue)
                .findFirst();
    }
}
