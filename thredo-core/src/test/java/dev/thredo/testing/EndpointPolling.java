package dev.thredo.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.http.HttpResponse;
import java.util.Optional;
import java.util.Set;
import java.util.stream.StreamSupport;
import tools.jackson.databind.JsonNode;

/**
 * Waiting, over real HTTP, for what the thredo actuator endpoint ({@code GET /actuator/thredo}) lists:
 * bounded by {@link Polling#BOUND}, like every poll. Each listing must answer 200.
 */
public final class EndpointPolling {

    private EndpointPolling() {
    }

    /**
     * Polls the listing of {@code http}'s server until a thread named exactly {@code name}, not one of
     * {@code not}, is listed, and returns its entry. The listing is filtered by the name's part after its
     * first space (the endpoint's {@code name} query matches a part of the name).
     */
    public static JsonNode awaitListed(TestHttp http, String name, Set<Long> not) {
        String filter = name.substring(name.indexOf(' ') + 1);
        return Polling.find(name + " is listed", () -> {
            HttpResponse<String> listing = http.get("/actuator/thredo?name=" + filter);
            assertEquals(200, listing.statusCode(), listing.body());
            return StreamSupport.stream(Json.of(listing).get("threads").spliterator(), false)
                    .filter(t -> t.get("name").asString().equals(name) && !not.contains(t.get("id").asLong()))
                    .findFirst();
        });
    }
}
