package io.catchment.collector.vendor;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/**
 * Jackson's limits (numbers of 1,000 digits, nesting 1,000 deep) on every route: a 400 naming the field, never a
 * 500. Found by fuzzing (docs/fuzzing.md): the limits throw without a location, and the message built from it threw.
 */
class JsonLimitsTest {
    private static final String LONG = "1".repeat(1001);
    private static final Routes ROUTES = new Routes();

    private static Routes.Answer post(String target, String headers, String body) throws Exception {
        return ROUTES.call(
                Routes.parse(("POST " + target + "\n" + (headers.isEmpty() ? "" : headers + "\n") + "\n" + body)
                        .getBytes(StandardCharsets.UTF_8)));
    }

    private static String nested(int depth) {
        return "[".repeat(depth) + "]".repeat(depth);
    }

    @Test
    void a_number_of_1001_digits_gets_a_400_naming_the_field_on_every_route() throws Exception {
        assertThat(post(
                        "/v1/batch",
                        "",
                        "{\"writeKey\":\"SEGMENT_WRITE_KEY\",\"batch\":[{\"type\":\"track\",\"event\":\"a\","
                                + "\"userId\":\"u\",\"properties\":{\"revenue\":" + LONG + "}}]}"))
                .satisfies(a -> assertThat(a.status()).isEqualTo(400))
                .satisfies(a ->
                        assertThat(a.body()).contains("field /batch/0/properties/revenue: number value length (1001)"));
        assertThat(post(
                                "/2/httpapi",
                                "",
                                "{\"api_key\":\"AMPLITUDE_API_KEY\",\"events\":[{\"event_type\":\"a\",\"n\":" + LONG
                                        + "}]}")
                        .body())
                .contains("field /events/0/n: number value length (1001) exceeds the maximum allowed (1000)");
        assertThat(post(
                                "/batch",
                                "",
                                "{\"api_key\":\"phc_PROJECT_API_KEY\",\"batch\":[{\"event\":\"a\",\"distinct_id\":\"u\","
                                        + "\"properties\":{\"revenue\":-" + LONG + ".5}}]}")
                        .body())
                .contains("field /batch/0/properties/revenue");
        String data = Base64.getEncoder()
                .encodeToString(("{\"event\":\"a\",\"properties\":{\"token\":\"MIXPANEL_PROJECT_TOKEN\"," + "\"n\":"
                                + LONG + "}}")
                        .getBytes(StandardCharsets.UTF_8));
        assertThat(post("/track?verbose=1", "Content-Type: application/x-www-form-urlencoded", "data=" + data))
                .satisfies(a -> assertThat(a.status()).isEqualTo(400))
                .satisfies(a -> assertThat(a.body()).contains("/properties/n"));
        assertThat(post("/import?project_token=MIXPANEL_PROJECT_TOKEN", "", "{\"event\":\"a\",\"n\":" + LONG + "}\n")
                        .body())
                .contains("line 1, field /n");
        assertThat(post("/v1/events", "Authorization: Bearer NATIVE_WRITE_KEY", "{\"event\":\"a\",\"n\":" + LONG + "}"))
                .satisfies(a -> assertThat(a.status()).isEqualTo(400))
                .satisfies(a -> assertThat(a.body()).contains("event 0: field /n"));
    }

    @Test
    void nesting_over_1000_deep_gets_a_400_on_every_route() throws Exception {
        assertThat(post(
                        "/v1/batch",
                        "",
                        "{\"writeKey\":\"SEGMENT_WRITE_KEY\",\"batch\":[{\"x\":" + nested(1000) + "}]}"))
                .satisfies(a -> assertThat(a.status()).isEqualTo(400))
                .satisfies(a -> assertThat(a.body()).contains("field /batch/0/x/0/0", "nesting depth (1001)"));
        assertThat(post("/2/httpapi", "", "{\"api_key\":\"AMPLITUDE_API_KEY\",\"events\":" + nested(1000) + "}")
                        .status())
                .isEqualTo(400);
        assertThat(post("/e", "", "{\"api_key\":\"phc_PROJECT_API_KEY\",\"x\":" + nested(1000) + "}")
                        .status())
                .isEqualTo(400);
        assertThat(post("/v1/events", "Authorization: Bearer NATIVE_WRITE_KEY", nested(1001))
                        .status())
                .isEqualTo(400);
    }

    @Test
    void an_event_nested_too_deep_once_normalised_gets_a_400_not_a_500() throws Exception {
        // read at depth 1000, but its top-level key moves under properties: 1001 deep in the log, which refuses it
        Routes.Answer a = post(
                "/v1/events", "Authorization: Bearer NATIVE_WRITE_KEY", "{\"event\":\"a\",\"x\":" + nested(999) + "}");
        assertThat(a.status()).isEqualTo(400);
        assertThat(a.body()).contains("event 0 is nested too deep once normalised");
        assertThat(post(
                                "/capture",
                                "",
                                "{\"api_key\":\"phc_PROJECT_API_KEY\",\"event\":\"a\",\"distinct_id\":\"u\",\"x\":"
                                        + nested(999) + "}")
                        .status())
                .isEqualTo(400);
        assertThat(post(
                                "/v1/events",
                                "Authorization: Bearer NATIVE_WRITE_KEY",
                                "{\"event\":\"a\",\"x\":" + nested(998) + "}")
                        .status())
                .isEqualTo(200);
    }
}
