package dev.thredo.spring;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The starter is a client of thredo's public API, like any library: nothing in it names
 * {@code dev.thredo.internal} (it asks "am I in a thredo thread?" with {@code Thredo.currentIfAny()}).
 */
class PublicApiOnlyTest {

    @Test
    void theStarterNamesNothingInternal() throws IOException {
        Path sources = Path.of("src/main/java"); // surefire runs in the module's directory
        assertThat(sources).isDirectory();
        try (Stream<Path> files = Files.walk(sources)) {
            List<String> offenders = files.filter(p -> p.toString().endsWith(".java"))
                    .filter(p -> read(p).contains("dev.thredo.internal"))
                    .map(p -> sources.relativize(p).toString())
                    .sorted()
                    .toList();
            assertThat(offenders).as("starter sources naming dev.thredo.internal").isEmpty();
        }
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
