package dev.thredo.demo;

import org.springframework.boot.test.context.SpringBootTest;

/** {@link DemoSecurityTest} with Tomcat on virtual request threads. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "spring.threads.virtual.enabled=true")
class DemoSecurityVirtualThreadsTest extends DemoSecurityTest {
}
