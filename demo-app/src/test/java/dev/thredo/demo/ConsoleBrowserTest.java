package dev.thredo.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.thredo.testing.ProblemAssertions;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The web console in real headless Chromium (Debian's {@code chromium} and {@code chromium-driver},
 * which {@code .ci/run} installs; nothing is downloaded): log in, watch a slow request appear in the
 * tree, cancel it through the confirmation dialog, see it disappear, and check that its client got
 * 503. Screenshots go to {@code target/console-listed.png} and {@code target/console.png}.
 *
 * <p>Authentication: the first navigation is to {@code http://admin:thredo@localhost:port/thredo/}.
 * Chromium strips the credentials from the URL but answers the server's Basic challenge with them
 * and caches them for the origin and realm, so the page's own same-origin fetches of
 * {@code /actuator/thredo} (and the cancel POST) are authenticated too. The cancel POST is
 * same-origin, so the demo's cross-site check lets it through.
 *
 * <p>A missing browser fails the test (it is not skipped): CI installs it.
 */
@SpringBootTest(classes = DemoApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ConsoleBrowserTest {

    static final String SLOW = "GET /api/slow";
    static final Duration WAIT = Duration.ofSeconds(20);

    @LocalServerPort
    int port;

    HeadlessChromium chromium;
    WebDriver driver;

    @BeforeEach
    void startBrowser() throws IOException {
        chromium = new HeadlessChromium();
        driver = chromium.driver();
    }

    @AfterEach
    void stopBrowser() throws IOException {
        if (chromium != null) {
            chromium.close();
        }
    }

    @Test
    void cancelsASlowRequestFromTheConsole() throws Exception {
        openConsole("");
        assertThat(driver.findElement(By.id("notice")).isDisplayed()).isFalse();
        cancelASlowRequestThroughTheConsole(true);
    }

    /**
     * {@code ?endpoint=} naming anything but a path on the console's origin is ignored with a notice,
     * and nothing (no listing, no preflight, no cancel) reaches the server it names: a plain JDK
     * server on another loopback port that counts every request.
     */
    @Test
    void anEndpointElsewhereIsIgnoredWithANoticeAndNothingIsSentThere() throws Exception {
        AtomicInteger requestsElsewhere = new AtomicInteger();
        HttpServer elsewhere = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        elsewhere.createContext("/", exchange -> {
            requestsElsewhere.incrementAndGet();
            // Answer like the endpoint, to any origin: were the console to go there, it would work.
            byte[] body = "{\"kernel\":{},\"threads\":[]}".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Access-Control-Allow-Origin", "*");
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        elsewhere.start();
        try {
            String other = "127.0.0.1:" + elsewhere.getAddress().getPort();
            // A path on the console's own origin is taken, without a notice.
            openConsole("?endpoint=" + URLEncoder.encode("/actuator/thredo", StandardCharsets.UTF_8));
            assertThat(driver.findElement(By.id("notice")).isDisplayed()).isFalse();
            for (String asked : List.of("http://" + other + "/actuator/thredo", "//" + other + "/actuator/thredo",
                    "/\\" + other + "/actuator/thredo", "/\t/" + other + "/actuator/thredo",
                    "\\\\" + other + "/actuator/thredo", "actuator/thredo", "javascript:alert(1)",
                    "http://localhost:" + port + "/actuator/thredo")) {
                openConsole("?endpoint=" + URLEncoder.encode(asked, StandardCharsets.UTF_8));
                WebElement notice = driver.findElement(By.id("notice"));
                assertThat(notice.isDisplayed()).as("the notice for endpoint=" + asked).isTrue();
                assertThat(notice.getText()).contains("Ignored endpoint=").contains("Using /actuator/thredo");
            }
            screenshot("console-endpoint-ignored.png");
            // The console still lists and cancels, through its own origin.
            cancelASlowRequestThroughTheConsole(false);
            assertThat(requestsElsewhere.get()).as("requests that reached " + other).isZero();
        } finally {
            elsewhere.stop(0);
        }
    }

    /** Opens the console with {@code query} and waits for its first listing, shown without an error. */
    private void openConsole(String query) {
        driver.get("http://admin:thredo@localhost:" + port + "/thredo/" + query);
        // The first listing arrived (so the page's fetches are authenticated) and no error is shown.
        new WebDriverWait(driver, WAIT).until(d -> "true".equals(d.findElement(By.tagName("body")).getDomAttribute("data-loaded")));
        assertThat(driver.findElement(By.id("error")).isDisplayed()).as(errorText()).isFalse();
    }

    /** Starts a slow request, cancels it with the console's button and dialog, and checks its client's 503. */
    private void cancelASlowRequestThroughTheConsole(boolean screenshots) throws Exception {
        WebDriverWait wait = new WebDriverWait(driver, WAIT);
        HttpClient client = HttpClient.newHttpClient();
        CompletableFuture<HttpResponse<String>> slow = client.sendAsync(
                HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/api/slow?seconds=30"))
                        .timeout(Duration.ofSeconds(60)).build(),
                HttpResponse.BodyHandlers.ofString());
        try {
            By slowNode = By.cssSelector("li[data-thread-name='" + SLOW + "']");
            WebElement node = wait.until(ExpectedConditions.visibilityOfElementLocated(slowNode));
            String id = node.getDomAttribute("data-thread-id");
            assertThat(slow).isNotDone();
            assertThat(node.getDomAttribute("data-state")).isIn("RUNNING", "BLOCKED");
            // read from the listing's groupId: the request's own group
            assertThat(node.getDomAttribute("data-group-id")).as("data-group-id").matches("[1-9][0-9]*");
            assertThat(node.findElement(By.cssSelector(".row .stuck-badge")).isDisplayed()).isFalse();
            if (screenshots) {
                screenshot("console-listed.png");
            }

            wait.ignoring(StaleElementReferenceException.class).until(d -> {
                d.findElement(By.cssSelector("li[data-thread-id='" + id + "'] > .row button.cancel")).click();
                return true;
            });
            wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("confirm")));
            assertThat(driver.findElement(By.id("confirm-text")).getText()).contains(SLOW).contains("#" + id);
            driver.findElement(By.id("confirm-yes")).click();

            wait.until(ExpectedConditions.invisibilityOfElementLocated(By.cssSelector("li[data-thread-id='" + id + "']")));
            HttpResponse<String> response = slow.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            ProblemAssertions.assertProblem(response, 503);
            assertThat(driver.findElement(By.id("error")).isDisplayed()).as(errorText()).isFalse();
            assertThat(driver.findElements(slowNode)).isEmpty();
            if (screenshots) {
                screenshot("console.png");
            }
        } finally {
            slow.cancel(true);
        }
    }

    private String errorText() {
        List<WebElement> error = driver.findElements(By.id("error"));
        return error.isEmpty() ? "" : error.get(0).getText();
    }

    private void screenshot(String name) throws IOException {
        chromium.screenshot(name);
    }
}
