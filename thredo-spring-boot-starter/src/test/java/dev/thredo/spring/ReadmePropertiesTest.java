package dev.thredo.spring;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The README's property table is the configuration metadata, rendered: every {@code thredo.*}
 * property the configuration processor found (from {@link ThredoProperties}' field Javadoc and
 * defaults), in the metadata's order, and nothing else. On a difference the failure prints the table
 * as it should be, to paste between the README's {@code thredo-properties} markers.
 */
class ReadmePropertiesTest {

    static final Path README = Path.of("../README.md"); // surefire runs in the module's directory
    static final Path METADATA = Path.of("target/classes/META-INF/spring-configuration-metadata.json");
    static final String BEGIN = "<!-- thredo-properties:";
    static final String END = "<!-- /thredo-properties -->";

    @Test
    void theReadmeTableIsTheConfigurationMetadata() throws IOException {
        assertThat(METADATA).as("written by the configuration processor when the starter compiles").isRegularFile();
        String expected = render(JsonMapper.builder().build().readTree(Files.readString(METADATA)));
        assertThat(expected).as("the metadata's thredo.* properties").contains("`thredo.enabled`");

        String readme = Files.readString(README);
        int begin = readme.indexOf(BEGIN);
        int end = readme.indexOf(END);
        assertThat(begin).as("the README's %s marker", BEGIN).isNotNegative();
        assertThat(end).as("the README's %s marker", END).isGreaterThan(begin);
        String table = readme.substring(readme.indexOf('\n', begin) + 1, end);

        assertThat(table).as("the README's property table (between its markers) against the metadata").isEqualTo(expected);
    }

    /** The table of the metadata's {@code thredo.*} properties: name, default ("none" if it has none), description. */
    static String render(JsonNode metadata) {
        List<String> rows = new ArrayList<>();
        rows.add("| property | default | description |");
        rows.add("|---|---|---|");
        for (JsonNode p : metadata.path("properties")) {
            String name = p.path("name").asString();
            if (!name.startsWith("thredo.")) {
                continue;
            }
            JsonNode value = p.path("defaultValue");
            String defaultValue = value.isMissingNode() || value.isNull() ? "none" : "`" + value.asString() + "`";
            String description = p.path("description").asString("").replace("|", "\\|").replace("\n", " ");
            rows.add("| `" + name + "` | " + defaultValue + " | " + description + " |");
        }
        return String.join("\n", rows) + "\n";
    }
}
