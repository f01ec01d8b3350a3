package dev.thredo.spring.actuate;

import dev.thredo.spring.actuate.ThredoEndpoint.ThreadDescriptor;
import dev.thredo.spring.actuate.ThredoEndpoint.ThreadDetailDescriptor;
import dev.thredo.spring.problem.ThredoProblems;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.boot.actuate.endpoint.web.annotation.EndpointWebExtension;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;

/**
 * {@link EndpointWebExtension @EndpointWebExtension} for the {@link ThredoEndpoint}: HTTP status
 * codes, and an RFC 9457 {@code application/problem+json} body (a {@link ProblemDetail}, see
 * {@link ThredoProblems} for the types) for every bad request.
 *
 * <ul>
 * <li>{@code GET /actuator/thredo?state=&name=&limit=}: 200 with the listing; 400 for an unknown
 * state or a limit that is not a number from 1 to 10 000.
 * <li>{@code GET /actuator/thredo/{id}}: 200 with the thread, its stack and children; 400 for an id
 * that is not a number ({@link ThredoProblems#BAD_THREAD_ID}); 404 for an unknown or ended thread
 * ({@link ThredoProblems#UNKNOWN_THREAD_ID}).
 * <li>{@code POST /actuator/thredo/{id}/cancel}: requests cancellation without waiting and answers
 * 202 with the thread; 400 for a malformed id; 404 for an unknown or ended thread, or another action.
 * </ul>
 */
@EndpointWebExtension(endpoint = ThredoEndpoint.class)
public class ThredoEndpointWebExtension {

    static final int STATUS_ACCEPTED = 202;

    private final ThredoEndpoint delegate;

    /**
     * Creates the extension; the endpoint auto-configuration registers one beside the endpoint.
     *
     * @param delegate the endpoint whose operations this extension answers over HTTP
     * @throws NullPointerException if {@code delegate} is {@code null}
     */
    public ThredoEndpointWebExtension(ThredoEndpoint delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    /**
     * See {@link ThredoEndpoint#threads}.
     *
     * @param state the {@code state} query parameter, or {@code null}
     * @param name the {@code name} query parameter, or {@code null}
     * @param limit the {@code limit} query parameter, as sent, or {@code null}
     * @return 200 with the listing, or 400 with a problem for a bad parameter
     */
    @ReadOperation
    public WebEndpointResponse<Object> threads(@Nullable String state, @Nullable String name,
            @Nullable String limit) {
        try {
            return new WebEndpointResponse<>(delegate.threads(state, name, parseLimit(limit)));
        } catch (InvalidEndpointRequestException e) {
            return problem(HttpStatus.BAD_REQUEST, e.getMessage());
        }
    }

    /**
     * See {@link ThredoEndpoint#thread}.
     *
     * @param id the path's id, as sent
     * @return 200 with the thread, 400 with a problem for an id that is not a number, 404 with a
     *     problem for an unknown or ended thread
     */
    @ReadOperation
    public WebEndpointResponse<Object> thread(@Selector String id) {
        Long parsed = parseId(id);
        if (parsed == null) {
            return malformedId(id);
        }
        ThreadDetailDescriptor thread = delegate.thread(parsed);
        return thread == null ? noSuchThread(parsed) : new WebEndpointResponse<>(thread);
    }

    /**
     * See {@link ThredoEndpoint#cancel}; answers 202 Accepted, as the thread may still be running.
     *
     * @param id the path's id, as sent
     * @param action the path's action; only {@value ThredoEndpoint#CANCEL} exists
     * @return 202 with the thread, 400 with a problem for an id that is not a number, 404 with a
     *     problem for an unknown or ended thread or another action
     */
    @WriteOperation
    public WebEndpointResponse<Object> cancel(@Selector String id, @Selector String action) {
        if (!ThredoEndpoint.CANCEL.equals(action)) {
            return problem(HttpStatus.NOT_FOUND, "unknown action '" + action + "'; the only action is '"
                    + ThredoEndpoint.CANCEL + "'");
        }
        Long parsed = parseId(id);
        if (parsed == null) {
            return malformedId(id);
        }
        ThreadDescriptor thread = delegate.cancel(parsed, action);
        return thread == null ? noSuchThread(parsed) : new WebEndpointResponse<>(thread, STATUS_ACCEPTED);
    }

    private static @Nullable Integer parseLimit(@Nullable String limit) {
        if (limit == null || limit.isBlank()) {
            return null;
        }
        try {
            return Integer.valueOf(limit.trim());
        } catch (NumberFormatException e) {
            throw new InvalidEndpointRequestException("limit must be a number from 1 to "
                    + ThredoEndpoint.MAX_LIMIT + ", was '" + ThredoProblems.echo(limit) + "'", "Invalid limit");
        }
    }

    private static @Nullable Long parseId(String id) {
        try {
            return Long.valueOf(id);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static WebEndpointResponse<Object> malformedId(String id) {
        return problem(ThredoProblems.badThreadId(id));
    }

    private static WebEndpointResponse<Object> noSuchThread(long id) {
        return problem(ThredoProblems.unknownThreadId(id));
    }

    private static WebEndpointResponse<Object> problem(HttpStatus status, @Nullable String detail) {
        return problem(ProblemDetail.forStatusAndDetail(status, detail != null ? detail : status.getReasonPhrase()));
    }

    /** Written by the application's message converters, as Spring MVC writes any {@code ProblemDetail}. */
    private static WebEndpointResponse<Object> problem(ProblemDetail problem) {
        return new WebEndpointResponse<>(problem, problem.getStatus(), MediaType.APPLICATION_PROBLEM_JSON);
    }
}
