package io.catchment.schema;

import java.time.Instant;

/**
 * One flattened value: the column it wants, and the path of the source key it came from as a JSON Pointer
 * ({@code /properties/Coupon Code}; null for envelope fields), the type inferred from it, and the value itself ({@link Boolean},
 * {@link Long}, {@link Double}, {@link TimeValue}, {@link String}, or {@link JsonText} for arrays and deep objects).
 */
public record Field(String name, ColumnType type, Object value, String source) {

  /** A field without a source key (envelope fields). */
  public Field(String name, ColumnType type, Object value) {
    this(name, type, value, null);
  }

  /**
   * The column this field takes when an earlier field of the same row already holds {@link #name}: the name plus
   * {@code __} and the first 6 hex digits of sha256(name NUL source), stable for that source path.
   */
  public String collisionName() {
    return Names.column(name + "__" + Names.hash(name + "\u0000" + source).substring(0, 6));
  }

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
