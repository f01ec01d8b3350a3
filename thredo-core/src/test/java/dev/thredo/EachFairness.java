package dev.thredo;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Runs a test method once per fairness mode of the synchronizers: its {@code boolean} parameter is
 * {@code fair} ({@code false}, the default, then {@code true}).
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@ParameterizedTest(name = "fair={0}")
@ValueSource(booleans = {false, true})
@interface EachFairness {
}
