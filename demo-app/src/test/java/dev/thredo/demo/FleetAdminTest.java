package dev.thredo.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.thredo.Kernel;
import dev.thredo.ThredoThread;
import dev.thredo.admin.ThredoAdminApplication;
import dev.thredo.admin.testing.AdminSession;
import dev.thredo.testing.Polling;
import dev.thredo.testing.ProblemAssertions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.Alert;
import org.openqa.selenium.By;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A fleet behind the management service, over real HTTP on loopback: thredo-admin (Spring Boot Admin)
 * and two demo instances, each with its own embedded PostgreSQL, that register with it through the
 * SBA client (instance 1 on Boot's default platform request threads, instance 2 on virtual ones). An
 * operator logs in to the service (form, session, CSRF token), finds an instance's slow request
 * through SBA's instance proxy ({@code /instances/{id}/actuator/thredo}) and cancels it there: the
 * request's own client gets its 503 problem. The actuator credentials each instance hands over as
 * metadata are used by the service, and never shown nor logged.
 */
@ExtendWith(OutputCaptureExtension.class)
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class FleetAdminTest {

    /** The demos' actuator password: unique, so any place it shows up is found. */
    private static final String ACTUATOR_PASSWORD = "actuator-" + UUID.randomUUID();
    private static final Duration BOUND = Duration.ofSeconds(60);

    private static ConfigurableApplicationContext admin;
    private static final List<ConfigurableApplicationContext> demos = new ArrayList<>();

    private final JsonMapper json = JsonMapper.builder().build();
    /** The operator's browser, logged in to the service before each test. */
    private AdminSession browser;
    /** The clients of the demo instances' own API. */
    private final HttpClient clients = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void startFleet() throws IOException {
        // Command-line arguments: above every configuration file, as a deployment would set them.
        admin = new SpringApplicationBuilder(ThredoAdminApplication.class).run(
                // thredo-admin's own configuration, not the demo's application.properties, which comes
                // first on this class path under the same name
                "--spring.config.location=" + adminConfiguration(),
                "--server.port=0",
                "--server.address=127.0.0.1",
                // the demo's class path brings the thredo starter and JDBC; the service uses neither
                "--thredo.enabled=false",
                "--spring.autoconfigure.exclude=org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration");
        String adminUrl = "http://127.0.0.1:" + port(admin);
        for (boolean virtual : List.of(false, true)) {
            demos.add(new SpringApplicationBuilder(DemoApplication.class).run(
                    "--server.port=0",
                    "--server.address=127.0.0.1",
                    "--spring.threads.virtual.enabled=" + virtual,
                    "--spring.security.user.password=" + ACTUATOR_PASSWORD,
                    "--spring.boot.admin.client.url=" + adminUrl,
                    "--spring.boot.admin.client.instance.service-host-type=IP",
                    // a cancel ignored for a second counts as stuck (the fleet page's first list)
                    "--thredo.stuck-threshold=1s"));
        }
    }

    @AfterAll
    static void stopFleet() {
        Collections.reverse(demos);
        demos.forEach(ConfigurableApplicationContext::close);
        demos.clear();
        if (admin != null) {
            admin.close();
        }
    }

    @BeforeEach
    void logIn() throws Exception {
        browser = new AdminSession(URI.create("http://127.0.0.1:" + port(admin)));
        browser.logIn("admin", "thredo");
    }

    /** A test that failed before its cancel must not leave a 60 s request to the next one. */
    @AfterEach
    void noSlowRequestLeftBehind() {
        for (ConfigurableApplicationContext demo : demos) {
            Kernel kernel = demo.getBean(Kernel.class);
            kernel.threads().stream()
                    .filter(thread -> thread.name().equals("GET /api/slow"))
                    .forEach(thread -> kernel.cancel(thread.id()));
        }
    }

    @Test
    void cancelsInstance2sSlowRequestThroughTheProxyAndItsClientGets503() throws Exception {
        String instance1 = registeredInstance(0);
        String instance2 = registeredInstance(1);
        CompletableFuture<HttpResponse<String>> slow = slowRequest(demos.get(1));

        long threadId = slowRequestThread(instance2);
        assertThat(slowRequestThreads(instance1)).as("instance 1 serves no slow request").isEmpty();

        assertCancelledThroughTheProxy(instance2, threadId, slow);
    }

    @Test
    void cancelsOnPlatformRequestThreadsToo() throws Exception {
        String instance1 = registeredInstance(0);
        CompletableFuture<HttpResponse<String>> slow = slowRequest(demos.get(0));

        assertCancelledThroughTheProxy(instance1, slowRequestThread(instance1), slow);
    }

    @Test
    void theProxyIsForLoggedInUsersOnly() throws Exception {
        String instance1 = registeredInstance(0);
        HttpClient stranger = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
        HttpResponse<String> listing = stranger.send(HttpRequest.newBuilder(
                        browser.uri("/instances/" + instance1 + "/actuator/thredo"))
                .header("Accept", "application/json").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(listing.statusCode()).isEqualTo(401);

        // A logged-in user's cancel without the service's CSRF token is refused before the instance sees it.
        HttpResponse<String> cancel = browser.send(HttpRequest.newBuilder(
                        browser.uri("/instances/" + instance1 + "/actuator/thredo/1/cancel"))
                .POST(HttpRequest.BodyPublishers.noBody()));
        assertThat(cancel.statusCode()).isEqualTo(403);
    }

    @Test
    void actuatorCredentialsAreUsedButNeverShownNorLogged(CapturedOutput output) throws Exception {
        registeredInstance(0);
        registeredInstance(1);
        HttpResponse<String> instances = browser.get("/instances", "application/json");
        assertThat(instances.body()).contains("\"user.name\"").doesNotContain(ACTUATOR_PASSWORD);
        for (JsonNode instance : json.readTree(instances.body())) {
            assertThat(instance.path("registration").path("metadata").path("user.password").asString())
                    .isEqualTo("******");
        }
        assertThat(output.getAll()).doesNotContain(ACTUATOR_PASSWORD);
    }

    /**
     * In Chromium, SBA's own login page, then the thredo tab of instance 2: its slow request appears,
     * is cancelled from the page after the confirmation, and goes; its client gets the 503. Then the
     * fleet page lists a thread stuck on instance 1 (one blocked in a JDK lock, which no interrupt
     * reaches) with its instance. Screenshots: {@code target/sba-thredo-view.png},
     * {@code target/sba-thredo-fleet.png}.
     */
    @Test
    void operatorCancelsFromTheThredoViewAndTheFleetPageShowsAStuckThread() throws Exception {
        String instance1 = registeredInstance(0);
        String instance2 = registeredInstance(1);
        try (HeadlessChromium chromium = new HeadlessChromium()) {
            WebDriver driver = chromium.driver();
            WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(30));
            driver.get(browser.uri("/login").toString());
            wait.until(ExpectedConditions.visibilityOfElementLocated(By.name("username"))).sendKeys("admin");
            driver.findElement(By.name("password")).sendKeys("thredo");
            driver.findElement(By.cssSelector("form button")).click();
            wait.until(d -> !d.getCurrentUrl().contains("/login"));

            CompletableFuture<HttpResponse<String>> slow = slowRequest(demos.get(1));
            driver.get(browser.uri("/instances/" + instance2 + "/thredo").toString());
            By slowNode = By.cssSelector(".thredo-view li.thredo-thread[data-thread-name='GET /api/slow']");
            String id = wait.until(ExpectedConditions.visibilityOfElementLocated(slowNode)).getDomAttribute("data-thread-id");
            assertThat(slow).isNotDone();
            chromium.screenshot("sba-thredo-view.png");

            wait.ignoring(StaleElementReferenceException.class).until(d -> {
                d.findElement(By.cssSelector("li[data-thread-id='" + id + "'] > .thredo-row button.thredo-cancel")).click();
                return true;
            });
            Alert confirm = wait.until(ExpectedConditions.alertIsPresent());
            assertThat(confirm.getText()).contains("#" + id).contains("GET /api/slow");
            confirm.accept();
            wait.until(ExpectedConditions.invisibilityOfElementLocated(By.cssSelector(
                    ".thredo-view li.thredo-thread[data-thread-id='" + id + "']")));
            ProblemAssertions.assertProblem(slow.get(BOUND.toSeconds(), TimeUnit.SECONDS), 503);
            assertThat(driver.findElements(By.cssSelector(".thredo-error"))).isEmpty();

            Kernel kernel1 = demos.get(0).getBean(Kernel.class);
            ReentrantLock held = new ReentrantLock();
            held.lock();
            ThredoThread<Void> stubborn = kernel1.spawn("stubborn report", () -> {
                held.lock(); // ReentrantLock.lock ignores interrupts: a cancel cannot end this wait
                held.unlock();
            });
            try {
                poll("the stubborn thread waits for the lock",
                        () -> Optional.of(true).filter(waits -> held.hasQueuedThread(stubborn.thread())));
                kernel1.cancel(stubborn.id());
                driver.get(browser.uri("/thredo-fleet").toString());
                WebElement stuck = wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(
                        ".thredo-stuck-threads li[data-thread-name='stubborn report']")));
                assertThat(stuck.getDomAttribute("data-instance-id")).isEqualTo(instance1);
                assertThat(stuck.findElement(By.cssSelector(".thredo-instance")).getText())
                        .contains("127.0.0.1:" + port(demos.get(0)));
                chromium.screenshot("sba-thredo-fleet.png");
            } finally {
                held.unlock();
                stubborn.await();
            }
        }
    }

    /** Waits until demo {@code index} is registered, UP, with its thredo endpoint found; its SBA id. */
    private String registeredInstance(int index) throws Exception {
        String serviceUrl = "http://127.0.0.1:" + port(demos.get(index)) + "/";
        return poll("demo " + (index + 1) + " registered and UP", () -> {
            HttpResponse<String> instances = browser.get("/instances", "application/json");
            assertThat(instances.statusCode()).isEqualTo(200);
            for (JsonNode instance : json.readTree(instances.body())) {
                boolean thisDemo = serviceUrl.equals(instance.path("registration").path("serviceUrl").asString());
                boolean up = "UP".equals(instance.path("statusInfo").path("status").asString());
                boolean thredo = false;
                for (JsonNode endpoint : instance.path("endpoints")) {
                    thredo |= "thredo".equals(endpoint.path("id").asString());
                }
                if (thisDemo && up && thredo) {
                    return Optional.of(instance.path("id").asString());
                }
            }
            return Optional.empty();
        });
    }

    private CompletableFuture<HttpResponse<String>> slowRequest(ConfigurableApplicationContext demo) {
        return clients.sendAsync(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port(demo) + "/api/slow?seconds=60"))
                .timeout(BOUND)
                .GET()
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The id of the instance's slow request thread, as the service's proxy lists it. */
    private long slowRequestThread(String instance) throws Exception {
        return poll("the slow request listed on " + instance, () -> slowRequestThreads(instance).stream().findFirst());
    }

    private List<Long> slowRequestThreads(String instance) throws IOException, InterruptedException {
        HttpResponse<String> listing = browser.get(
                "/instances/" + instance + "/actuator/thredo?name=%2Fapi%2Fslow", "application/json");
        assertThat(listing.statusCode()).as(listing.body()).isEqualTo(200);
        List<Long> ids = new ArrayList<>();
        for (JsonNode thread : json.readTree(listing.body()).path("threads")) {
            if (thread.path("name").asString().equals("GET /api/slow")) {
                ids.add(thread.path("id").asLong());
            }
        }
        return ids;
    }

    private void assertCancelledThroughTheProxy(String instance, long threadId,
            CompletableFuture<HttpResponse<String>> slow) throws Exception {
        HttpResponse<String> cancel = browser.send(HttpRequest.newBuilder(
                        browser.uri("/instances/" + instance + "/actuator/thredo/" + threadId + "/cancel"))
                .header("X-XSRF-TOKEN", browser.csrfToken())
                .POST(HttpRequest.BodyPublishers.noBody()));
        assertThat(cancel.statusCode()).as(cancel.body()).isEqualTo(202);
        assertThat(json.readTree(cancel.body()).path("id").asLong()).isEqualTo(threadId);

        ProblemAssertions.assertProblem(slow.get(BOUND.toSeconds(), TimeUnit.SECONDS), 503);
    }

    /** Polls {@code probe} until it finds something, within {@link #BOUND}; its HTTP failures fail the test. */
    private static <T> T poll(String what, Probe<T> probe) {
        return Polling.find(what, BOUND, () -> {
            try {
                return probe.get();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while polling: " + what, e);
            }
        });
    }

    @FunctionalInterface
    private interface Probe<T> {
        Optional<T> get() throws IOException, InterruptedException;
    }

    private static int port(ConfigurableApplicationContext context) {
        return ((WebServerApplicationContext) context).getWebServer().getPort();
    }

    /** thredo-admin's application.properties (its jar or classes), found among those of the class path. */
    private static String adminConfiguration() throws IOException {
        for (URL url : Collections.list(FleetAdminTest.class.getClassLoader().getResources("application.properties"))) {
            if (url.toString().contains("thredo-admin")) {
                return url.toString();
            }
        }
        throw new AssertionError("thredo-admin's application.properties is not on the class path");
    }
}
