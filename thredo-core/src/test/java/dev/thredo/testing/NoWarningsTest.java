package dev.thredo.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.slf4j.LoggerFactory;

/**
 * {@link NoWarnings} fails exactly the tests that logged at WARN or ERROR, naming the line, and lets
 * a test that logged below WARN pass. Each case runs a sample class through JUnit's
 * {@link EngineTestKit}, as {@link LeakGuardTest} does.
 */
class NoWarningsTest {

    @Test
    void aTestThatLoggedAWarningFailsWithTheLine() {
        EngineExecutionResults results = run(Logs.class);

        results.testEvents().assertStatistics(s -> s.succeeded(1).failed(2));
        List<String> failures = results.testEvents().failed().stream()
                .map(e -> e.getPayload(TestExecutionResult.class).orElseThrow().getThrowable().orElseThrow().getMessage())
                .toList();
        assertTrue(failures.stream().anyMatch(m -> m.contains("WARN sample: careful")), failures::toString);
        assertTrue(failures.stream().anyMatch(m -> m.contains("ERROR sample: broken")), failures::toString);
    }

    private static EngineExecutionResults run(Class<?> sample) {
        return EngineTestKit.engine("junit-jupiter")
                .configurationParameter(LeakGuardTest.SAMPLES_ENABLED, "true")
                .selectors(selectClass(sample))
                .execute();
    }

    @ExtendWith({LeakGuardTest.OnlyThroughTestKit.class, NoWarnings.class})
    static class Logs {
        @Test
        void info() {
            LoggerFactory.getLogger("sample").info("fine");
        }

        @Test
        void warn() {
            LoggerFactory.getLogger("sample").warn("careful");
        }

        @Test
        void error() {
            LoggerFactory.getLogger("sample").error("broken");
        }
    }
}
