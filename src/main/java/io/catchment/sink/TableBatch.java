package io.catchment.sink;

import io.catchment.schema.ColumnType;
import java.io.Closeable;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Rows bound for one table in one loader batch, encoded for the store as they arrive (nothing per row is kept on the
 * heap). A row is built cell by cell with {@link #column}, {@link #set} and {@link #endRow}. Rows go to the current
 * {@link Part}. A row that brings a new column appends it to the part's column list; rows staged before it have
 * fewer cells and the store reads their missing trailing cells as NULL (DuckDB's {@code read_csv(null_padding)}), so
 * a batch is one part per table however many fields appear in it. {@link #finish} closes the last part and fixes each part's column types
 * from the table's final schema; after that the batch is read-only and may be handed to another thread.
 * Not thread-safe while it is being built.
 */
public final class TableBatch {
    /** Where a part's rows go: the store's staging format. */
    public interface Encoder extends Closeable {
        void row(Object[] cells, ColumnType[] types, int columns) throws IOException;

        /** Removes what was staged (after it was loaded, or when the batch is abandoned). */
        void discard() throws IOException;
    }

    /** Opens a new encoder for a part of a table's batch. */
    @FunctionalInterface
    public interface Encoders {
        Encoder open(String table) throws IOException;
    }

    /**
     * Rows staged together; a row staged before a column was added has fewer cells, read as NULL. {@code firstDay}
     * and {@code lastDay} bound the UTC days ({@code YYYY-MM-DD}) of the rows' {@code timestamp}, for deduplication
     * within the day; {@code ragged} says some rows have fewer cells than there are columns.
     */
    public record Part(
            List<String> columns,
            List<ColumnType> types,
            int rows,
            Encoder staged,
            String firstDay,
            String lastDay,
            boolean ragged) {}

    private final String table;
    private final Encoders encoders;
    private final List<String> columns = new ArrayList<>();
    private final Map<String, Integer> index = new HashMap<>();
    private final List<Part> parts = new ArrayList<>();
    private Object[] row = new Object[32];
    private Encoder current;
    private ColumnType[] currentTypes;
    private int currentColumns;
    private int currentRows;
    private boolean ragged;
    private String firstDay;
    private String lastDay;
    private int rows;

    public TableBatch(String table, Encoders encoders) {
        this.table = table;
        this.encoders = encoders;
    }

    public String table() {
        return table;
    }

    public int rows() {
        return rows;
    }

    public List<Part> parts() {
        return parts;
    }

    /** The index of {@code name} in this batch, added at the end when new. */
    public int column(String name) {
        Integer i = index.get(name);
        if (i == null) {
            i = columns.size();
            columns.add(name);
            index.put(name, i);
            if (i >= row.length) row = Arrays.copyOf(row, row.length * 2);
        }
        return i;
    }

    /** Whether the row being built already has a value in that column. */
    public boolean isSet(int column) {
        return row[column] != null;
    }

    public void set(int column, Object value) {
        row[column] = value;
    }

    /** Writes the row being built; {@code schema} is the table's current column types. */
    public void endRow(Map<String, ColumnType> schema) throws IOException {
        if (current == null) {
            current = encoders.open(table);
            currentColumns = 0;
            currentTypes = new ColumnType[Math.max(8, columns.size())];
        }
        if (columns.size() != currentColumns) {
            if (currentRows > 0) ragged = true;
            if (columns.size() > currentTypes.length) currentTypes = Arrays.copyOf(currentTypes, columns.size() * 2);
            for (int i = currentColumns; i < columns.size(); i++) currentTypes[i] = schema.get(columns.get(i));
            currentColumns = columns.size();
        }
        Integer ts = index.get("timestamp");
        if (ts != null && row[ts] != null) {
            String day = row[ts].toString().substring(0, 10);
            if (firstDay == null || day.compareTo(firstDay) < 0) firstDay = day;
            if (lastDay == null || day.compareTo(lastDay) > 0) lastDay = day;
        }
        current.row(row, currentTypes, currentColumns);
        Arrays.fill(row, 0, currentColumns, null);
        currentRows++;
        rows++;
    }

    /** Closes the last part and fixes every part's column types from the table's final schema. */
    public void finish(Map<String, ColumnType> schema) throws IOException {
        closePart(schema);
        for (int p = 0; p < parts.size(); p++) {
            Part part = parts.get(p);
            List<ColumnType> types = new ArrayList<>(part.columns().size());
            for (String c : part.columns()) types.add(schema.get(c));
            parts.set(
                    p,
                    new Part(
                            part.columns(),
                            List.copyOf(types),
                            part.rows(),
                            part.staged(),
                            part.firstDay(),
                            part.lastDay(),
                            part.ragged()));
        }
    }

    private void closePart(Map<String, ColumnType> schema) throws IOException {
        if (current == null) return;
        current.close();
        parts.add(new Part(
                List.copyOf(columns.subList(0, currentColumns)),
                List.of(),
                currentRows,
                current,
                firstDay,
                lastDay,
                ragged));
        ragged = false;
        current = null;
        currentRows = 0;
        firstDay = null;
        lastDay = null;
    }

    /** Deletes everything staged for this batch. */
    public void discard() {
        try {
            if (current != null) {
                current.close();
                current.discard();
            }
            for (Part p : parts) p.staged().discard();
        } catch (IOException e) {
            // staging is emptied again at the next start
        }
    }
}
