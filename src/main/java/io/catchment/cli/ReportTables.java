package io.catchment.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/** The analytics answers as text tables: trends by bucket, funnel steps, the retention grid, events. */
final class ReportTables {
    private ReportTables() {}

    static void print(String kind, JsonNode r, PrintStream out) {
        switch (kind) {
            case "trends" -> trends(r, out);
            case "funnel" -> funnel(r, out);
            case "retention" -> retention(r, out);
            case "user" -> user(r, out);
            default -> events(r.path("events"), out);
        }
        if (r.has("timezone"))
            out.println("time zone " + r.path("timezone").asText() + ", "
                    + r.path("elapsed_ms").asLong() + " ms");
    }

    private static String text(JsonNode v) {
        if (v == null || v.isNull() || v.isMissingNode()) return "";
        if (v.isFloatingPointNumber()) return String.format("%.4g", v.doubleValue());
        return v.isValueNode() ? v.asText() : v.toString();
    }

    private static void trends(JsonNode r, PrintStream out) {
        List<String> names = new ArrayList<>(List.of("time"));
        List<JsonNode> all = new ArrayList<>();
        for (String part : new String[] {"series", "formulas", "previous"}) {
            for (JsonNode s : r.path(part)) {
                names.add((part.equals("previous") ? "previous: " : "")
                        + s.path("label").asText());
                all.add(s);
            }
        }
        List<List<String>> rows = new ArrayList<>();
        JsonNode buckets = r.path("buckets");
        for (int i = 0; i < buckets.size(); i++) {
            List<String> row = new ArrayList<>(List.of(buckets.get(i).asText()));
            for (JsonNode s : all) row.add(text(s.path("data").path(i).path(1)));
            rows.add(row);
        }
        QueryCommand.printTable(names, rows, out);
    }

    private static void funnel(JsonNode r, PrintStream out) {
        if (r.has("people")) {
            out.println("dropped after step " + r.path("dropped_at").asInt() + ": " + r.path("people"));
            return;
        }
        List<JsonNode> groups = new ArrayList<>();
        if (r.has("breakdown")) r.path("breakdown").forEach(groups::add);
        else groups.add(r);
        List<List<String>> rows = new ArrayList<>();
        for (JsonNode g : groups) {
            for (JsonNode s : g.path("steps")) {
                rows.add(List.of(
                        r.has("breakdown") ? text(g.path("value")) : "",
                        s.path("step").asText(),
                        s.path("label").asText(),
                        s.path("count").asText(),
                        s.path("conversion").isNull()
                                ? ""
                                : String.format(
                                        "%.1f%%", 100 * s.path("conversion").asDouble()),
                        s.path("from_previous").isNull()
                                ? ""
                                : String.format(
                                        "%.1f%%", 100 * s.path("from_previous").asDouble()),
                        text(s.path("median_seconds_from_previous"))));
            }
        }
        QueryCommand.printTable(
                List.of("breakdown", "step", "event", "people", "conversion", "from previous", "median s"), rows, out);
        if (!r.has("breakdown"))
            out.println("median time to convert: " + text(r.path("median_seconds_to_convert")) + " s");
    }

    private static void retention(JsonNode r, PrintStream out) {
        List<JsonNode> groups = new ArrayList<>();
        if (r.has("breakdown")) r.path("breakdown").forEach(groups::add);
        else groups.add(r);
        int periods = r.path("periods").asInt();
        List<String> names = new ArrayList<>(List.of("cohort", "size"));
        for (int k = 1; k <= periods; k++) names.add(r.path("interval").asText() + " " + k);
        for (JsonNode g : groups) {
            if (r.has("breakdown")) out.println(text(g.path("value")));
            List<List<String>> rows = new ArrayList<>();
            List<JsonNode> lines = new ArrayList<>();
            g.path("cohorts").forEach(lines::add);
            lines.add(g.path("overall"));
            for (JsonNode c : lines) {
                List<String> row = new ArrayList<>(List.of(
                        c.has("cohort") ? c.path("cohort").asText() : "all",
                        c.path("size").asText()));
                for (int k = 1; k <= periods; k++) {
                    JsonNode p = c.path("percent").path(k);
                    row.add(p.isNull() || p.isMissingNode() ? "" : String.format("%.1f%%", p.asDouble()));
                }
                rows.add(row);
            }
            QueryCommand.printTable(names, rows, out);
        }
    }

    private static void user(JsonNode r, PrintStream out) {
        JsonNode p = r.path("profile");
        out.println("person " + p.path("id").asText() + " (ids " + p.path("ids") + ")");
        out.println("traits " + p.path("traits"));
        out.println("first seen " + text(p.path("first_seen")) + ", last seen " + text(p.path("last_seen")) + ", "
                + p.path("events").asLong() + " events");
        events(r.path("events"), out);
    }

    private static void events(JsonNode events, PrintStream out) {
        List<List<String>> rows = new ArrayList<>();
        for (JsonNode e : events) {
            rows.add(List.of(
                    text(e.path("timestamp")),
                    text(e.path("type")),
                    text(e.path("event")),
                    text(e.has("user_id") ? e.path("user_id") : e.path("anonymous_id")),
                    text(e.path("source")),
                    text(e.path("properties"))));
        }
        QueryCommand.printTable(List.of("time", "type", "event", "who", "source", "properties"), rows, out);
    }
}
