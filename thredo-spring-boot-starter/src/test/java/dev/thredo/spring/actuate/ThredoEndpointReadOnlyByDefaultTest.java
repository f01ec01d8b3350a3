package dev.thredo.spring.actuate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.thredo.Kernel;
import dev.thredo.ThreadInfo;
import dev.thredo.ThredoThread;
import dev.thredo.Thredo;
import dev.thredo.testing.Polling;
import dev.thredo.testing.TestHttp;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

@SpringBootTest(classes = ActuateTestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
        properties = "management.endpoints.web.exposure.include=thredo")
@Timeout(30)
class ThredoEndpointReadOnlyByDefaultTest {

    @LocalServerPort
    int port;

    @Autowired
    Kernel kernel;

    @Test
    void readsButDoesNotCancelWithoutUnrestrictedAccess() {
        TestHttp http = TestHttp.localhost(port);
        ThredoThread<Void> sleeper = kernel.spawn("read-only-sleeper", () -> Thredo.sleep(Duration.ofDays(1)));
        try {
            Polling.until("the sleeper is blocked", () -> kernel.thread(sleeper.id()).map(ThreadInfo::state)
                    .filter(s -> s == ThreadInfo.State.BLOCKED).isPresent());

            assertThat(http.get("/actuator/thredo?name=read-only-sleeper").statusCode()).isEqualTo(200);
            assertThat(http.get("/actuator/thredo/" + sleeper.id()).statusCode()).isEqualTo(200);
            HttpResponse<String> cancel = http.post("/actuator/thredo/" + sleeper.id() + "/cancel");

            // Boot maps no write operation of a read-only endpoint, so the path does not exist.
            assertThat(cancel.statusCode()).as(cancel.body()).isEqualTo(404);
            assertThat(sleeper.isCancelled()).isFalse();
            assertThat(kernel.thread(sleeper.id())).isPresent();
        } finally {
            sleeper.requestCancel();
            sleeper.await();
        }
    }
}
