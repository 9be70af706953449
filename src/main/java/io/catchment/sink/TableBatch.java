package io.catchment.sink;

import io.catchment.schema.ColumnType;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Rows bound for one table in one loader batch, column-indexed. Rows may be shorter than {@link #columns()} when a
 * column first appeared after them: the missing cells are null. Once built, {@link #freezeTypes} snapshots the column
 * types, after which the batch is read-only and may be handed to another thread.
 */
public final class TableBatch {
  private final String table;
  private final List<String> columns = new ArrayList<>();
  private final Map<String, Integer> index = new HashMap<>();
  private final List<Object[]> rows = new ArrayList<>();
  private List<ColumnType> types;

  public TableBatch(String table) {
    this.table = table;
  }

  public String table() {
    return table;
  }

  public List<String> columns() {
    return columns;
  }

  public List<Object[]> rows() {
    return rows;
  }

  public int columnIndex(String column) {
    Integer i = index.get(column);
    if (i == null) {
      i = columns.size();
      columns.add(column);
      index.put(column, i);
    }
    return i;
  }

  public Object[] newRow(int hint) {
    Object[] r = new Object[Math.max(hint, columns.size())];
    rows.add(r);
    return r;
  }

  /** Sets a cell, growing the row when the column is newer than the row; returns the (possibly new) row. */
  public Object[] set(Object[] row, int column, Object value) {
    if (column >= row.length) {
      Object[] grown = java.util.Arrays.copyOf(row, Math.max(columns.size(), column + 1));
      rows.set(rows.size() - 1, grown);
      row = grown;
    }
    row[column] = value;
    return row;
  }

  /** Fixes the types of {@link #columns()} from the table's schema once the batch is complete. */
  public void freezeTypes(Map<String, ColumnType> schema) {
    List<ColumnType> t = new ArrayList<>(columns.size());
    for (String c : columns) t.add(schema.get(c));
    types = List.copyOf(t);
  }

  /** The column types as frozen by {@link #freezeTypes}. */
  public List<ColumnType> types() {
    if (types == null) throw new IllegalStateException("types of " + table + " not frozen");
    return types;
  }
}
