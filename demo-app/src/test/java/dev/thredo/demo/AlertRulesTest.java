package dev.thredo.demo;

import static dev.thredo.demo.RepoFiles.repoFile;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.yaml.snakeyaml.Yaml;

/**
 * The alert rules of {@code deploy/prometheus/rules.yml}, checked by Debian's real {@code promtool}:
 * the file is valid, its unit tests ({@code rules.test.yml}) pass, and they test every alert both
 * firing and not firing. Each alert waits ({@code for}), carries a severity and names its instance.
 *
 * <p>{@code .ci/run} installs {@code prometheus} (which brings {@code promtool}); without it this test
 * fails rather than skips, so a CI run that lost the install cannot pass silently.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AlertRulesTest {

    private static final Path PROMTOOL = Path.of("/usr/bin/promtool");
    private static final Path RULES = repoFile("deploy/prometheus/rules.yml");
    private static final Path RULE_TESTS = repoFile("deploy/prometheus/rules.test.yml");

    @Test
    void promtoolFindsTheRulesValid() throws Exception {
        String out = promtool("check", "rules", RULES.toString());
        assertThat(out).contains("SUCCESS: " + rules().size() + " rules found");
    }

    @Test
    void promtoolUnitTestsOfTheRulesPass() throws Exception {
        String out = promtool("test", "rules", RULE_TESTS.toString());
        assertThat(out).contains("SUCCESS").doesNotContain("FAILED");
    }

    @Test
    void everyAlertIsTestedFiringAndNotFiring() throws IOException {
        Map<String, Set<Boolean>> tested = new LinkedHashMap<>(); // alert -> {fires?} over its test cases
        for (Map<String, Object> test : list(load(RULE_TESTS).get("tests"))) {
            for (Map<String, Object> check : list(test.get("alert_rule_test"))) {
                boolean fires = !list(check.get("exp_alerts")).isEmpty();
                tested.computeIfAbsent((String) check.get("alertname"), name -> new LinkedHashSet<>()).add(fires);
            }
        }
        List<String> alerts = alerts().stream().map(alert -> (String) alert.get("alert")).toList();
        assertThat(alerts).as("alerts in rules.yml").isNotEmpty();
        assertThat(tested.keySet()).as("alerts tested in rules.test.yml").containsExactlyInAnyOrderElementsOf(alerts);
        for (String alert : alerts) {
            assertThat(tested.get(alert)).as("%s tested firing and not firing", alert).containsExactlyInAnyOrder(true, false);
        }
    }

    @Test
    void everyAlertWaitsHasASeverityAndNamesItsInstance() throws IOException {
        for (Map<String, Object> alert : alerts()) {
            String name = (String) alert.get("alert");
            assertThat((String) alert.get("for")).as("%s: for", name).isNotBlank();
            Map<String, Object> labels = map(alert.get("labels"));
            assertThat(labels.get("severity")).as("%s: severity", name).isIn("critical", "warning");
            Map<String, Object> annotations = map(alert.get("annotations"));
            for (String annotation : List.of("summary", "description")) {
                assertThat((String) annotations.get(annotation)).as("%s: %s", name, annotation)
                        .contains("{{ $labels.instance }}");
            }
        }
    }

    /** Runs promtool; asserts it exits 0 within the bound and returns what it printed. */
    private static String promtool(String... args) throws Exception {
        assertThat(Files.isExecutable(PROMTOOL))
                .as("%s is missing: .ci/run installs Debian's prometheus package "
                        + "(apt-get install -y --no-install-recommends prometheus)", PROMTOOL)
                .isTrue();
        List<String> command = new ArrayList<>(List.of(PROMTOOL.toString()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            // Read to the end first (promtool exits after its output); the class's timeout bounds a hang.
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("%s ended within 30 s", command).isTrue();
            assertThat(process.exitValue()).as("%s exit code; it printed:%n%s", command, out).isZero();
            return out;
        } finally {
            process.destroyForcibly();
        }
    }

    private static List<Map<String, Object>> rules() throws IOException {
        List<Map<String, Object>> rules = new ArrayList<>();
        for (Map<String, Object> group : list(load(RULES).get("groups"))) {
            rules.addAll(list(group.get("rules")));
        }
        return rules;
    }

    private static List<Map<String, Object>> alerts() throws IOException {
        return rules().stream().filter(rule -> rule.containsKey("alert")).toList();
    }

    private static Map<String, Object> load(Path file) throws IOException {
        return new Yaml().load(Files.readString(file));
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> list(Object yaml) {
        return yaml == null ? List.of() : (List<Map<String, Object>>) yaml;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object yaml) {
        return yaml == null ? Map.of() : (Map<String, Object>) yaml;
    }
}
