package dev.thredo.demo;

import java.nio.file.Files;
import java.nio.file.Path;

/** Files of the repository for tests, which run in the module directory (demo-app). */
final class RepoFiles {

    private RepoFiles() {
    }

    /** The file at {@code relative} to the repository root, found by walking up from the working directory. */
    static Path repoFile(String relative) {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve(relative);
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        throw new AssertionError(relative + " not found above " + Path.of("").toAbsolutePath());
    }
}
