package dev.thredo.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.http.HttpResponse;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.StreamSupport;
import tools.jackson.databind.JsonNode;

/**
 * Waiting, over real HTTP, until a test server answers what a test waits for: a resource's JSON in a
 * given state, or a thread listed by the thredo actuator endpoint ({@code GET /actuator/thredo}).
 * Bounded by {@link Polling#BOUND}, like every poll; each GET must answer 200.
 */
public final class HttpPolling {

    private HttpPolling() {
    }

    /** Polls {@code GET pathAndQuery} until its JSON body is {@code done}, and returns that body. */
    public static JsonNode awaitJson(TestHttp http, String pathAndQuery, Predicate<JsonNode> done) {
        return Polling.find(pathAndQuery + " is done", () -> Optional.of(get(http, pathAndQuery)).filter(done));
    }

    /**
     * Polls the listing of {@code http}'s server until a thread named exactly {@code name}, not one of
     * {@code not}, is listed, and returns its entry. The listing is filtered by the name's part after its
     * first space (the endpoint's {@code name} query matches a part of the name).
     */
    public static JsonNode awaitListed(TestHttp http, String name, Set<Long> not) {
        String filter = name.substring(name.indexOf(' ') + 1);
        return Polling.find(name + " is listed", () -> {
            JsonNode listing = get(http, "/actuator/thredo?name=" + filter);
            return StreamSupport.stream(listing.get("threads").spliterator(), false)
                    .filter(t -> t.get("name").asString().equals(name) && !not.contains(t.get("id").asLong()))
                    .findFirst();
        });
    }

    private static JsonNode get(TestHttp http, String pathAndQuery) {
        HttpResponse<String> response = http.get(pathAndQuery);
        assertEquals(200, response.statusCode(), pathAndQuery + ": " + response.body());
        return Json.of(response);
    }
}
