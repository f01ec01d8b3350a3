package dev.thredo.demo.security;

import org.springframework.boot.test.context.SpringBootTest;

/** {@link BootDefaultSecurityTest} with Tomcat on virtual request threads. */
@SpringBootTest(classes = BootDefaultSecurityTest.App.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = { "spring.autoconfigure.exclude=org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration",
                "spring.threads.virtual.enabled=true" })
class BootDefaultSecurityVirtualThreadsTest extends BootDefaultSecurityTest {
}
