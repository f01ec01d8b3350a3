/**
 * RFC 9457 problem details, one way: {@link dev.thredo.spring.problem.ThredoProblems} builds
 * thredo's problems (Spring {@link org.springframework.http.ProblemDetail}s with stable {@code type}
 * URIs), and {@link dev.thredo.spring.problem.ProblemDetailWriter} writes a problem where no Spring
 * MVC handler returns it, through the application's message converters.
 */
@NullMarked
package dev.thredo.spring.problem;

import org.jspecify.annotations.NullMarked;
