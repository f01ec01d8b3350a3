package dev.thredo.demo;

import org.springframework.test.context.TestPropertySource;

/**
 * {@link ConsoleBrowserTest} in an application whose own JSON is {@code SNAKE_CASE}: the endpoint's
 * descriptors are written by the actuator's mapper, so the console still finds {@code groupId},
 * {@code parentId}, ... and still cancels.
 */
@TestPropertySource(properties = "spring.jackson.property-naming-strategy=SNAKE_CASE")
class ConsoleSnakeCaseBrowserTest extends ConsoleBrowserTest {
}
