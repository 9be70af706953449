package io.catchment.analytics;

import io.catchment.schema.PersonKey;
import io.catchment.schema.TableSchema;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A person's page's own-table rows when every table has the person_key index ({@code duckdb.person_index}, DuckDB):
 * each table's rows of the person by the index, one statement for the page. DuckDB takes the index only for a scan
 * whose one condition is the key (an id or time condition beside it makes it scan the table), so each table gives all
 * its rows of the person, up to {@link #CAP}; a table that gives that many and misses some of the page's events (a
 * person with thousands of events of one kind) is read again for the page's ids alone, the person's rows materialized
 * first. 10M events: 15–30 ms for a page's 25 tables, against 130–200 ms by scanning each table's key column.
 */
final class PersonRows {
    static final int CAP = 1000;

    private PersonRows() {}

    static void read(
            Analytics a,
            Map<String, List<Map<String, Object>>> byTable,
            Map<String, TableSchema> catalog,
            List<String> owner,
            long owned,
            Map<String, Map<String, Object>> rows) {
        // a person with no more events than the cap has no more rows than that in any table: no LIMIT (a LIMIT per
        // table costs DuckDB ~0.3 ms each, a third of a page's 25 tables)
        boolean capped = owned < 0 || owned > CAP;
        Sql q = a.sql();
        for (Map.Entry<String, List<Map<String, Object>>> t : byTable.entrySet()) {
            if (q.text().length() > 0) q.a(" UNION ALL ");
            q.a("(SELECT id, CAST(to_json(t) AS VARCHAR) AS _row, ")
                    .v(t.getKey())
                    .a(" AS _tbl");
            if (catalog.get(t.getKey()).columns().containsKey(PersonKey.COLUMN)) {
                q.a(" FROM ").id(t.getKey()).a(" AS t WHERE ");
                People.indexedOwns(q, owner);
                q.a(capped ? " LIMIT " + CAP + ")" : ")");
            } else {
                EventRows.rowsOf(q, t.getKey(), t.getValue());
                q.a(")");
            }
        }
        List<List<Object>> result = a.rows(q);
        EventRows.collect(result, rows);
        Map<String, Integer> perTable = new HashMap<>();
        for (List<Object> r : result) perTable.merge(String.valueOf(r.get(2)), 1, Integer::sum);
        List<String> again = new ArrayList<>();
        if (!capped) return;
        for (Map.Entry<String, List<Map<String, Object>>> t : byTable.entrySet()) {
            if (perTable.getOrDefault(t.getKey(), 0) < CAP) continue;
            for (Map<String, Object> e : t.getValue())
                if (!rows.containsKey(String.valueOf(e.get("id")))) {
                    again.add(t.getKey());
                    break;
                }
        }
        if (again.isEmpty()) return;
        Sql more = a.sql();
        for (int i = 0; i < again.size(); i++) {
            more.a(i == 0 ? "WITH " : ", ")
                    .a("p" + i)
                    .a(" AS MATERIALIZED (SELECT * FROM ")
                    .id(again.get(i))
                    .a(" WHERE ");
            People.indexedOwns(more, owner);
            more.a(")");
        }
        for (int i = 0; i < again.size(); i++) {
            if (i > 0) more.a(" UNION ALL ");
            more.a("SELECT id, CAST(to_json(t) AS VARCHAR) AS _row FROM p" + i + " AS t WHERE id IN (");
            int j = 0;
            for (Map<String, Object> e : byTable.get(again.get(i)))
                (j++ > 0 ? more.a(", ") : more).v(String.valueOf(e.get("id")));
            more.a(")");
        }
        EventRows.collect(a.rows(more), rows);
    }
}
