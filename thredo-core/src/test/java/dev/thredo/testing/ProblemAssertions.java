package dev.thredo.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import tools.jackson.databind.JsonNode;

/**
 * Assertions on RFC 9457 problem answers, the one shape every error of the starter and the demo takes
 * (Spring's {@code ProblemDetail}): the status, {@code Content-Type: application/problem+json}, and a
 * JSON body whose {@code status} repeats it and whose {@code title} is set.
 */
public final class ProblemAssertions {

    /** The {@code type} of a request ended by its cancellation. */
    public static final String REQUEST_CANCELLED =
            "https://github.com/thredo-dev/thredo-java/blob/main/README.md#request-cancelled";
    /** The {@code type} of a request ended by a timeout. */
    public static final String REQUEST_TIMED_OUT =
            "https://github.com/thredo-dev/thredo-java/blob/main/README.md#request-timed-out";

    private ProblemAssertions() {
    }

    /** Asserts that {@code response} is a {@code status} problem, and returns its body for further checks. */
    public static JsonNode assertProblem(HttpResponse<String> response, int status) {
        assertEquals(status, response.statusCode(), response::body);
        String type = response.headers().firstValue("Content-Type").orElse("");
        assertTrue(type.startsWith("application/problem+json"), () -> "Content-Type " + type + ": " + response.body());
        JsonNode problem = Json.of(response);
        assertEquals(status, problem.path("status").asInt(), response::body);
        assertFalse(problem.path("title").asString("").isBlank(), () -> "no title: " + response.body());
        return problem;
    }

    /**
     * Asserts that {@code response} is the 503 problem the starter answers for a request its
     * cancellation or timeout ended, for the request {@code instance}, whose {@code detail} contains
     * {@code detailFragment}, typed {@link #REQUEST_CANCELLED} if the detail is
     * {@code "The request was cancelled."}, else {@link #REQUEST_TIMED_OUT}; returns its body.
     */
    public static JsonNode assertProblem503(HttpResponse<String> response, String detailFragment, String instance) {
        JsonNode problem = assertProblem(response, 503);
        assertEquals(instance, problem.path("instance").asString(), response::body);
        String detail = problem.path("detail").asString("");
        assertTrue(detail.contains(detailFragment), () -> "detail without \"" + detailFragment + "\": " + response.body());
        // Typed by what ended the request (the starter's ThredoProblems, restated here as the README lists them).
        boolean cancelled = detail.equals("The request was cancelled.");
        assertEquals(cancelled ? REQUEST_CANCELLED : REQUEST_TIMED_OUT, problem.path("type").asString(), response::body);
        assertEquals(cancelled ? "Request cancelled" : "Request timed out", problem.path("title").asString(),
                response::body);
        return problem;
    }

    /** {@link #assertProblem503} whose {@code detail} is exactly {@code detail}. */
    public static JsonNode assertProblem503Detail(HttpResponse<String> response, String detail, String instance) {
        JsonNode problem = assertProblem503(response, detail, instance);
        assertEquals(detail, problem.path("detail").asString(), response::body);
        return problem;
    }
}
