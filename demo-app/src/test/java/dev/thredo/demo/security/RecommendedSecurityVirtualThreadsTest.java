package dev.thredo.demo.security;

import org.springframework.boot.test.context.SpringBootTest;

/** {@link RecommendedSecurityTest} with Tomcat on virtual request threads. */
@SpringBootTest(classes = RecommendedSecurityTest.App.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = { "spring.autoconfigure.exclude=org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration",
                "spring.threads.virtual.enabled=true" })
class RecommendedSecurityVirtualThreadsTest extends RecommendedSecurityTest {
}
