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
        assertThat(t.resolve(new Field("amount", ColumnType.BIGINT, 1L), "e1", changes))
                .isEqualTo("amount");
        assertThat(t.resolve(new Field("amount", ColumnType.BIGINT, 2L), "e2", changes))
                .isEqualTo("amount");
        assertThat(changes)
                .extracting(SchemaChange::kind)
                .containsExactly(SchemaChange.Kind.CREATE_TABLE, SchemaChange.Kind.ADD_COLUMN);
    }

    @Test
    void a_double_widens_a_bigint_column() {
        List<SchemaChange> changes = new ArrayList<>();
        TableSchema t = new TableSchema("t", java.util.Map.of("amount", ColumnType.BIGINT));
        assertThat(t.resolve(new Field("amount", ColumnType.DOUBLE, 1.5), "e", changes))
                .isEqualTo("amount");
        assertThat(t.columns().get("amount")).isEqualTo(ColumnType.DOUBLE);
        assertThat(changes).singleElement().satisfies(c -> {
            assertThat(c.kind()).isEqualTo(SchemaChange.Kind.WIDEN_COLUMN);
            assertThat(c.oldType()).isEqualTo(ColumnType.BIGINT);
        });
        assertThat(t.resolve(new Field("amount", ColumnType.BIGINT, 3L), "e", changes))
                .isEqualTo("amount");
    }

    @Test
    void property_no_two_source_keys_share_a_column_and_each_key_keeps_its_column() {
        java.util.Random r = new java.util.Random(7);
        String[] parts = {"plan", "Plan", "PLAN", "p-lan", "p lan", "plan!", "_plan", "a", "A", "a.b", "a_b", "a b"};
        TableSchema t = TableSchema.create("t", "e", new ArrayList<>());
        java.util.Map<String, String> columnOf = new java.util.HashMap<>();
        java.util.Map<String, String> sourceOf = new java.util.HashMap<>();
        ColumnType[] types = {ColumnType.BIGINT, ColumnType.VARCHAR};
        for (int i = 0; i < 5000; i++) {
            String key = parts[r.nextInt(parts.length)];
            String source = "/properties/" + key;
            Field f = new Field(Names.column("properties_" + Names.sanitize(key)), types[r.nextInt(2)], "v", source);
            String col = t.resolve(f, "e", new ArrayList<>());
            String base = col.replaceAll("__(bigint|string)$", "");
            assertThat(columnOf.computeIfAbsent(source, k -> base))
                    .as("stable column for %s", source)
                    .isEqualTo(base);
            assertThat(sourceOf.computeIfAbsent(base, k -> source))
                    .as("one source for %s", base)
                    .isEqualTo(source);
        }
        assertThat(columnOf).hasSize(parts.length);
    }

    @Test
    void a_value_whose_typed_sibling_is_taken_goes_to_the_json_sibling() {
        List<SchemaChange> changes = new ArrayList<>();
        TableSchema t = new TableSchema("t", java.util.Map.of("a", ColumnType.BIGINT, "a__string", ColumnType.BIGINT));
        assertThat(t.resolve(new Field("a", ColumnType.VARCHAR, "x"), "e", changes))
                .isEqualTo("a__json");
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
                    assertThat(changes)
                            .singleElement()
                            .satisfies(c -> assertThat(c.reason()).contains("type conflict"));
                }
            }
        }
    }
}
