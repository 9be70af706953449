package io.catchment.analytics;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** A trends statement's rows as chart series: every bucket present, breakdown groups in rank order. */
final class TrendsData {
    private TrendsData() {}

    static List<Map<String, Object>> collect(
            Trends.Series s,
            List<List<Object>> result,
            long[] buckets,
            Interval iv,
            TimeRange range,
            List<String> top,
            Map<String, double[]> byKey) {
        boolean breakdown = top != null;
        Map<String, double[]> groups = new LinkedHashMap<>();
        if (breakdown) {
            // the top values by volume, then $other, then events without the property
            for (String v : top) groups.put(v, null);
            groups.put(Trends.OTHER, null);
            groups.put(null, null);
        }
        Map<String, boolean[]> present = new HashMap<>();
        Map<Long, Integer> position = new HashMap<>();
        for (int i = 0; i < buckets.length; i++) position.put(buckets[i], i);
        for (List<Object> row : result) {
            Integer at = position.get(((Number) Analytics.value(row.get(0))).longValue());
            if (at == null) continue;
            int i = at;
            String g = breakdown ? (row.get(1) == null ? null : row.get(1).toString()) : "";
            double[] v = groups.get(g);
            if (v == null) groups.put(g, v = new double[buckets.length]);
            present.computeIfAbsent(g, k -> new boolean[buckets.length])[i] = row.get(2) != null;
            v[i] = Analytics.number(row.get(2));
        }
        groups.values().removeIf(java.util.Objects::isNull);
        if (groups.isEmpty() && !breakdown) groups.put("", new double[buckets.length]);
        boolean additive = s.measure().equals("total") || s.measure().equals("sum");
        List<String> times = new ArrayList<>();
        for (long b : buckets)
            times.add(iv.start(b, range.zone()).toOffsetDateTime().toString());
        List<Map<String, Object>> out = new ArrayList<>();
        for (Map.Entry<String, double[]> e : groups.entrySet()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("key", s.key());
            m.put("label", s.label() + (breakdown ? " · " + (e.getKey() == null ? "(not set)" : e.getKey()) : ""));
            m.put("event", s.sel().label());
            m.put("measure", s.measure());
            if (breakdown) m.put("breakdown", e.getKey());
            boolean[] p = present.get(e.getKey());
            boolean zeroIsEmpty =
                    Set.of("total", "uniques", "dau", "wau", "mau", "sum").contains(s.measure());
            List<List<Object>> data = new ArrayList<>();
            double total = 0;
            for (int i = 0; i < buckets.length; i++) {
                Object v = (p != null && p[i]) || zeroIsEmpty ? Analytics.value(e.getValue()[i]) : null;
                data.add(java.util.Arrays.asList(times.get(i), v));
                total += e.getValue()[i];
            }
            m.put("data", data);
            if (additive) m.put("total", Analytics.value(total));
            out.add(m);
            if (!breakdown) byKey.put(s.key(), e.getValue());
        }
        return out;
    }

    static List<List<Object>> data(List<String> times, double[] values) {
        List<List<Object>> data = new ArrayList<>();
        for (int i = 0; i < times.size(); i++) {
            data.add(
                    java.util.Arrays.asList(times.get(i), Double.isNaN(values[i]) ? null : Analytics.value(values[i])));
        }
        return data;
    }
}
