package dev.thredo.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.thredo.testing.ProblemAssertions;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
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
 * {@code /actuator/thredo} (and the cancel POST) are authenticated too. The CSRF token for the POST
 * comes from the {@code XSRF-TOKEN} cookie the demo's security sets.
 *
 * <p>A missing browser fails the test (it is not skipped): CI installs it.
 */
@SpringBootTest(classes = DemoApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ConsoleBrowserTest {

    static final String CHROMIUM = System.getProperty("chromium.binary", "/usr/bin/chromium");
    static final String CHROMEDRIVER = System.getProperty("chromedriver.binary", "/usr/bin/chromedriver");
    static final String SLOW = "GET /api/slow";
    static final Duration WAIT = Duration.ofSeconds(20);

    @LocalServerPort
    int port;

    WebDriver driver;
    Path profile;

    @BeforeEach
    void startBrowser() throws IOException {
        assertTrue(new File(CHROMIUM).canExecute(), CHROMIUM + " is missing: apt-get install chromium");
        assertTrue(new File(CHROMEDRIVER).canExecute(), CHROMEDRIVER + " is missing: apt-get install chromium-driver");
        profile = Files.createTempDirectory("thredo-console-chromium");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM);
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=1400,900", "--user-data-dir=" + profile);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(CHROMEDRIVER))
                .usingAnyFreePort()
                .build();
        driver = new ChromeDriver(service, options);
        driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
    }

    @AfterEach
    void stopBrowser() throws IOException {
        if (driver != null) {
            driver.quit();
        }
        if (profile != null) {
            try (var files = Files.walk(profile)) {
                files.sorted(java.util.Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
            }
        }
    }

    @Test
    void cancelsASlowRequestFromTheConsole() throws Exception {
        driver.get("http://admin:thredo@localhost:" + port + "/thredo/");
        WebDriverWait wait = new WebDriverWait(driver, WAIT);
        // The first listing arrived (so the page's fetches are authenticated) and no error is shown.
        wait.until(d -> "true".equals(d.findElement(By.tagName("body")).getDomAttribute("data-loaded")));
        assertThat(driver.findElement(By.id("error")).isDisplayed()).as(errorText()).isFalse();

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
            assertThat(node.findElement(By.cssSelector(".row .stuck-badge")).isDisplayed()).isFalse();
            screenshot("console-listed.png");

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
            screenshot("console.png");
        } finally {
            slow.cancel(true);
        }
    }

    private String errorText() {
        List<WebElement> error = driver.findElements(By.id("error"));
        return error.isEmpty() ? "" : error.get(0).getText();
    }

    private void screenshot(String name) throws IOException {
        File shot = ((ChromeDriver) driver).getScreenshotAs(OutputType.FILE);
        Path target = Path.of("target", name);
        Files.createDirectories(target.getParent());
        Files.copy(shot.toPath(), target, StandardCopyOption.REPLACE_EXISTING);
    }
}
