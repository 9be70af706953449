package io.catchment.schema;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TableSchemaTest {
  @Test
  void new_fields_become_columns_and_each_change_is_recorded() {
    List<SchemaChange> changes = new ArrayList<>();
    TableSchema t = TableSchema.create("t", "e1", changes);
    assertThat(t.resolve(new Field("amount", ColumnType.BIGINT, 1L), "e1", changes)).isEqualTo("amount");
    assertThat(t.resolve(new Field("amount", ColumnType.BIGINT, 2L), "e2", changes)).isEqualTo("amount");
    assertThat(changes).extracting(SchemaChange::kind)
        .containsExactly(SchemaChange.Kind.CREATE_TABLE, SchemaChange.Kind.ADD_COLUMN);
  }

  @Test
  void a_double_widens_a_bigint_column() {
    List<SchemaChange> changes = new ArrayList<>();
    TableSchema t = new TableSchema("t", java.util.Map.of("amount", ColumnType.BIGINT));
    assertThat(t.resolve(new Field("amount", ColumnType.DOUBLE, 1.5), "e", changes)).isEqualTo("amount");
    assertThat(t.columns().get("amount")).isEqualTo(ColumnType.DOUBLE);
    assertThat(changes).singleElement().satisfies(c -> {
      assertThat(c.kind()).isEqualTo(SchemaChange.Kind.WIDEN_COLUMN);
      assertThat(c.oldType()).isEqualTo(ColumnType.BIGINT);
    });
    assertThat(t.resolve(new Field("amount", ColumnType.BIGINT, 3L), "e", changes)).isEqualTo("amount");
  }

  @Test
  void a_value_whose_typed_sibling_is_taken_goes_to_the_json_sibling() {
    List<SchemaChange> changes = new ArrayList<>();
    TableSchema t = new TableSchema("t", java.util.Map.of("a", ColumnType.BIGINT, "a__string", ColumnType.BIGINT));
    assertThat(t.resolve(new Field("a", ColumnType.VARCHAR, "x"), "e", changes)).isEqualTo("a__json");
    assertThat(t.columns().get("a__json")).isEqualTo(ColumnType.JSON);
  }

  @Test
  void every_other_conflict_goes_to_a_typed_sibling_and_leaves_the_column_alone() {
    for (ColumnType existing : ColumnType.values()) {
      for (ColumnType value : ColumnType.values()) {
        List<SchemaChange> changes = new ArrayList<>();
        TableSchema t = new TableSchema("t", java.util.Map.of("c", existing));
        String col = t.resolve(new Field("c", value, "v"), "e", changes);
        if (existing.accepts(value)) {
          assertThat(col).as(existing + " <- " + value).isEqualTo("c");
        } else if (existing == ColumnType.BIGINT && value == ColumnType.DOUBLE) {
          assertThat(col).isEqualTo("c");
        } else {
          assertThat(col).as(existing + " <- " + value).isEqualTo("c__" + value.suffix);
          assertThat(t.columns().get("c")).isEqualTo(existing);
          assertThat(t.columns().get(col)).isEqualTo(value);
          assertThat(changes).singleElement().satisfies(c -> assertThat(c.reason()).contains("type conflict"));
        }
      }
    }
  }
}
