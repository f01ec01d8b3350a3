package dev.thredo.testing;

import java.net.http.HttpResponse;
import java.util.List;
import java.util.stream.StreamSupport;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Reading the JSON a test server answered: a body as a tree, and the values of an array. */
public final class Json {
    private static final JsonMapper MAPPER = JsonMapper.builder().build();

    private Json() {
    }

    /** The body of {@code response} parsed as JSON; an unchecked Jackson exception if it is not JSON. */
    public static JsonNode of(HttpResponse<String> response) {
        return MAPPER.readTree(response.body());
    }

    /** The elements of {@code array} as text, in order. */
    public static List<String> texts(JsonNode array) {
        return StreamSupport.stream(array.spliterator(), false).map(JsonNode::asString).toList();
    }

    /** The text of {@code field} in each element of {@code array}, in order. */
    public static List<String> texts(JsonNode array, String field) {
        return StreamSupport.stream(array.spliterator(), false).map(e -> e.get(field).asString()).toList();
    }

    /** The elements of {@code array} as numbers, in order. */
    public static List<Long> longs(JsonNode array) {
        return StreamSupport.stream(array.spliterator(), false).map(JsonNode::asLong).toList();
    }
}
