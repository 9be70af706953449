package io.catchment.analytics;

import java.util.Map;
import java.util.Set;

/**
 * A formula over series, bucket by bucket: letters name series ({@code A} is the first), with numbers, {@code + - *
 * /} and parentheses ({@code (A - B) / A * 100}). A division by zero gives no value for that bucket.
 */
final class Formula {
    private interface Node {
        double at(Map<String, double[]> series, int i);
    }

    private final String text;
    private final Node root;

    private Formula(String text, Node root) {
        this.text = text;
        this.root = root;
    }

    String text() {
        return text;
    }

    static Formula parse(Req r, String key, Set<String> series) {
        String text = r.text(key);
        Parser p = new Parser(text, r, key, series);
        Node n = p.sum();
        p.skip();
        if (p.pos < text.length()) throw r.bad(key, "unexpected '" + text.charAt(p.pos) + "' at " + (p.pos + 1));
        return new Formula(text, n);
    }

    double[] apply(Map<String, double[]> series, int n) {
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            double v = root.at(series, i);
            out[i] = Double.isFinite(v) ? v : Double.NaN;
        }
        return out;
    }

    private static final class Parser {
        final String s;
        final Req r;
        final String key;
        final Set<String> series;
        int pos;

        Parser(String s, Req r, String key, Set<String> series) {
            this.s = s;
            this.r = r;
            this.key = key;
            this.series = series;
        }

        void skip() {
            while (pos < s.length() && Character.isWhitespace(s.charAt(pos))) pos++;
        }

        Node sum() {
            Node left = product();
            while (true) {
                skip();
                if (pos >= s.length()) return left;
                char c = s.charAt(pos);
                if (c != '+' && c != '-') return left;
                pos++;
                Node l = left, right = product();
                left = c == '+' ? (m, i) -> l.at(m, i) + right.at(m, i) : (m, i) -> l.at(m, i) - right.at(m, i);
            }
        }

        Node product() {
            Node left = atom();
            while (true) {
                skip();
                if (pos >= s.length()) return left;
                char c = s.charAt(pos);
                if (c != '*' && c != '/') return left;
                pos++;
                Node l = left, right = atom();
                left = c == '*' ? (m, i) -> l.at(m, i) * right.at(m, i) : (m, i) -> l.at(m, i) / right.at(m, i);
            }
        }

        Node atom() {
            skip();
            if (pos >= s.length()) throw r.bad(key, "ends too early");
            char c = s.charAt(pos);
            if (c == '(') {
                pos++;
                Node n = sum();
                skip();
                if (pos >= s.length() || s.charAt(pos) != ')') throw r.bad(key, "a '(' is not closed");
                pos++;
                return n;
            }
            if (c == '-') {
                pos++;
                Node n = atom();
                return (m, i) -> -n.at(m, i);
            }
            if (Character.isDigit(c) || c == '.') {
                int start = pos;
                while (pos < s.length() && (Character.isDigit(s.charAt(pos)) || s.charAt(pos) == '.')) pos++;
                double v;
                try {
                    v = Double.parseDouble(s.substring(start, pos));
                } catch (NumberFormatException e) {
                    throw r.bad(key, "'" + s.substring(start, pos) + "' is not a number");
                }
                return (m, i) -> v;
            }
            if (c >= 'A' && c <= 'Z') {
                pos++;
                String name = String.valueOf(c);
                if (!series.contains(name)) throw r.bad(key, "there is no series " + name);
                return (m, i) -> m.get(name)[i];
            }
            throw r.bad(key, "unexpected '" + c + "' at " + (pos + 1));
        }
    }
}
