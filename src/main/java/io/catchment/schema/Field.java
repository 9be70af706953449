package io.catchment.schema;

import java.time.Instant;

/**
 * One flattened value: the column it wants, the type inferred from it, and the value itself ({@link Boolean},
 * {@link Long}, {@link Double}, {@link TimeValue}, {@link String}, or {@link JsonText} for arrays and deep objects).
 */
public record Field(String name, ColumnType type, Object value) {

  /** JSON text of an array, an empty object, or an object nested too deep to flatten. */
  public record JsonText(String json) {
    @Override
    public String toString() {
      return json;
    }
  }

  /**
   * A string that parsed as a point in time; keeps the original text for VARCHAR columns. {@code instant} is null when
   * the text is already canonical ISO-8601 UTC ({@link java.time.Instant#toString}).
   */
  public record TimeValue(String text, Instant instant) {
    @Override
    public String toString() {
      return text;
    }

    /** The value as ISO-8601 UTC text. */
    public String iso() {
      return instant == null ? text : instant.toString();
    }
  }
}
