package dev.thredo.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A test extension that fails each test during which anything was logged at WARN or ERROR: it
 * {@linkplain LogCapture#attach() captures the log} before each test (and before its
 * {@code @BeforeEach} methods) and, after the test and its {@code @AfterEach} methods, detaches and
 * fails with the lines logged. Register it with {@code @ExtendWith(NoWarnings.class)} on a test class;
 * it is inherited by subclasses and {@code @Nested} classes.
 */
public final class NoWarnings implements BeforeEachCallback, AfterEachCallback {
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(NoWarnings.class);

    @Override
    public void beforeEach(ExtensionContext context) {
        context.getStore(NAMESPACE).put(context.getUniqueId(), LogCapture.attach());
    }

    @Override
    public void afterEach(ExtensionContext context) {
        LogCapture log = context.getStore(NAMESPACE).remove(context.getUniqueId(), LogCapture.class);
        log.detach();
        assertEquals(List.of(), log.warnings(), "logged at WARN or ERROR");
    }
}
