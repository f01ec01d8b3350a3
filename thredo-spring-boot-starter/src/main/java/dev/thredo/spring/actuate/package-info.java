/**
 * Actuator and Micrometer support for thredo: the {@code thredo} endpoint, which lists, inspects and
 * cancels live thredo threads, and the {@code thredo.*} meters.
 */
@NullMarked
package dev.thredo.spring.actuate;

import org.jspecify.annotations.NullMarked;
