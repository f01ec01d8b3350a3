package dev.thredo.spring.web;

import org.junit.jupiter.api.Timeout;
import org.springframework.boot.test.context.SpringBootTest;

/** {@link ClientDisconnectTest}'s cases with Tomcat serving requests on virtual threads. */
@SpringBootTest(classes = DisconnectTestApp.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "spring.threads.virtual.enabled=true")
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ClientDisconnectVirtualThreadsTest extends ClientDisconnectTest {
}
