package io.catchment.config;

/** How events map to tables ({@code schema.layout}, per source with {@code schema.layout_by_source}). */
public enum Layout {
    /** {@code events} plus one table per event name (and identifies, pages, screens, groups, aliases). */
    PER_EVENT,
    /** One wide {@code events} table holding context, properties and traits. */
    SINGLE;

    public static Layout parse(String s) {
        return switch (s.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "per-event", "per_event" -> PER_EVENT;
            case "single" -> SINGLE;
            default -> throw new IllegalArgumentException("'" + s + "' is not a layout: per-event or single");
        };
    }
}
