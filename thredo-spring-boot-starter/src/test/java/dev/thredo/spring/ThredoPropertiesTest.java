package dev.thredo.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.thredo.Kernel;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.core.NestedExceptionUtils;

/**
 * A value of {@code thredo.*} that cannot work stops startup, and the failure names the property
 * and says why; the edge values that can work start.
 */
class ThredoPropertiesTest {
    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(ThredoAutoConfiguration.class));

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', textBlock = """
            thredo.shutdown-timeout     | -1s | must be zero or more
            thredo.stuck-threshold      | 0s  | must be more than zero
            thredo.stuck-threshold      | -5s | must be more than zero
            thredo.web.request-timeout  | 0s  | must be more than zero
            thredo.web.request-timeout  | -1m | must be more than zero
            """)
    void aValueThatCannotWorkFailsStartupNamingTheProperty(String property, String value, String reason) {
        runner.withPropertyValues(property + "=" + value).run(context -> {
            assertThat(context).hasFailed();
            Throwable failure = context.getStartupFailure();
            BindException bind = innermostBindException(failure);
            assertThat(bind).as("a binding failure in %s", failure).isNotNull();
            assertThat(bind.getProperty()).as("the property in %s", bind).isNotNull();
            assertThat(bind.getProperty().getName().toString()).isEqualTo(property);
            assertThat(bind.getProperty().getValue()).hasToString(value);
            assertThat(NestedExceptionUtils.getMostSpecificCause(failure))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith(reason);
        });
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', textBlock = """
            thredo.shutdown-timeout     | 0s  | PT0S
            thredo.stuck-threshold      | 1ms | PT0.001S
            thredo.web.request-timeout  | 1ms | PT0.001S
            thredo.web.request-timeout  | ''  |
            """)
    void theEdgeValuesThatCanWorkStart(String property, String value, Duration bound) {
        runner.withPropertyValues(property + "=" + value).run(context -> {
            assertThat(context).hasNotFailed().hasSingleBean(Kernel.class);
            ThredoProperties properties = context.getBean(ThredoProperties.class);
            Duration actual = switch (property) {
                case "thredo.shutdown-timeout" -> properties.getShutdownTimeout();
                case "thredo.stuck-threshold" -> properties.getStuckThreshold();
                default -> properties.getWeb().getRequestTimeout();
            };
            assertThat(actual).isEqualTo(bound);
        });
    }

    /** The failure to bind the property itself (outer ones are for {@code thredo}, the bean). */
    private static BindException innermostBindException(Throwable t) {
        BindException innermost = null;
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof BindException b) {
                innermost = b;
            }
        }
        return innermost;
    }
}
