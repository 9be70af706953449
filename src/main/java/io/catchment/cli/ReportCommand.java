package io.catchment.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.catchment.event.EventJson;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code catchment report KIND}: the analytics reports of a running server ({@code /v1/analytics}) from the command
 * line, built from options or sent as a JSON request ({@code --request FILE}, {@code -} for standard input).
 */
@Command(
        name = "report",
        mixinStandardHelpOptions = true,
        description = {
            "Run an analytics report on a running Catchment: trends, funnel, retention, user or live.",
            "",
            "Examples:",
            "  catchment report trends --event 'Order Completed' --measure uniques --interval week --from 2026-01-01",
            "  catchment report trends --event Signup --event Purchase --formula 'B / A * 100' --tz Europe/Berlin",
            "  catchment report funnel --event 'Viewed Product' --event 'Order Completed' --window 7d --breakdown plan",
            "  catchment report retention --start Signup --return 'Order Completed' --interval week --periods 12",
            "  catchment report user u123            a person's profile and newest events",
            "  catchment report live --limit 20      the newest events",
            "  catchment report trends --request report.json --format json"
        },
        footer = {"", "Exit codes: 0 success, 1 the report failed, 2 bad usage, 3 server unreachable."})
public final class ReportCommand implements Callable<Integer> {
    enum Kind {
        trends,
        funnel,
        retention,
        user,
        live
    }

    @Parameters(index = "0", paramLabel = "KIND", description = "trends, funnel, retention, user or live")
    Kind kind;

    @Parameters(index = "1", arity = "0..1", paramLabel = "ID", description = "for user: the user or anonymous id")
    String id;

    @Option(names = "--event", description = "a series (trends) or a step (funnel), in order; repeatable")
    List<String> events = new ArrayList<>();

    @Option(names = "--measure", description = "total, uniques, dau, wau, mau, sum, avg, min, max, median, p90, p99")
    String measure;

    @Option(names = "--property", description = "the number property for sum, avg, min, max, median, p90, p99")
    String property;

    @Option(
            names = "--where",
            description = "a filter on every series or step: plan=pro, price>10, plan!=free, "
                    + "email~example (contains); repeatable")
    List<String> where = new ArrayList<>();

    @Option(names = "--breakdown", description = "group by this property")
    String breakdown;

    @Option(names = "--formula", description = "trends: a formula over the series A, B, … (A / B * 100)")
    String formula;

    @Option(names = "--compare", description = "trends: add the previous period")
    boolean compare;

    @Option(names = "--interval", description = "minute, hour, day, week or month")
    String interval;

    @Option(names = "--from", description = "first day (2026-03-01) or an ISO time; default: 30 days ago")
    String from;

    @Option(names = "--to", description = "last day (included) or an ISO time; default: today")
    String to;

    @Option(
            names = {"--tz", "--timezone"},
            description = "IANA time zone for days and hours (default: UTC)")
    String timezone;

    @Option(names = "--window", description = "funnel: conversion window, like 30m, 24h, 7d (default: 7d)")
    String window;

    @Option(names = "--strict", description = "funnel: each step must be the person's next event")
    boolean strict;

    @Option(names = "--start", description = "retention: the start event")
    String start;

    @Option(names = "--return", description = "retention: the return event")
    String returning;

    @Option(names = "--periods", description = "retention: periods after the cohort's")
    Integer periods;

    @Option(names = "--limit", description = "user and live: how many events (default: 20)", defaultValue = "20")
    int limit;

    @Option(names = "--request", description = "send this JSON request as it is (a file, or - for standard input)")
    String request;

    @Option(
            names = {"-f", "--format"},
            description = "table or json (default: ${DEFAULT-VALUE})",
            defaultValue = "table")
    String format;

    @Mixin
    AdminClient client;

    private static final Pattern WHERE = Pattern.compile("^([^=!<>~]+)(!=|>=|<=|=|>|<|~)(.*)$");

    @Override
    public Integer call() throws Exception {
        return DlqCommand.run(() -> {
            for (String w : where) {
                if (!WHERE.matcher(w).matches())
                    throw new AdminClient.Failure(
                            Cli.USAGE,
                            "--where '" + w + "': write property=value, property!=value, property>number, "
                                    + "property<number or property~text");
            }
            JsonNode out = switch (kind) {
                case trends -> client.post("/v1/analytics/trends", body(this::trends));
                case funnel -> client.post("/v1/analytics/funnels", body(this::funnel));
                case retention -> client.post("/v1/analytics/retention", body(this::retention));
                case live -> client.post("/v1/analytics/events/live", body(b -> b.put("limit", limit)));
                case user -> {
                    if (id == null) throw new AdminClient.Failure(Cli.USAGE, "report user needs an ID");
                    String p = "/v1/analytics/users/"
                            + URLEncoder.encode(id, StandardCharsets.UTF_8).replace("+", "%20");
                    ObjectNode both = EventJson.MAPPER.createObjectNode();
                    both.set("profile", client.get(p));
                    both.set("events", client.get(p + "/events?limit=" + limit).path("events"));
                    yield both;
                }
            };
            if (format.equals("json"))
                System.out.println(
                        EventJson.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(out));
            else ReportTables.print(kind.name(), out, System.out);
            return 0;
        });
    }

    private ObjectNode body(java.util.function.Consumer<ObjectNode> fill) throws Exception {
        if (request != null) {
            byte[] bytes = request.equals("-") ? System.in.readAllBytes() : Files.readAllBytes(Path.of(request));
            JsonNode n = EventJson.MAPPER.readTree(bytes);
            if (!(n instanceof ObjectNode o))
                throw new AdminClient.Failure(Cli.USAGE, "--request must hold a JSON object");
            return o;
        }
        ObjectNode b = EventJson.MAPPER.createObjectNode();
        if (from != null) b.put("from", from);
        if (to != null) b.put("to", to);
        if (timezone != null) b.put("timezone", timezone);
        fill.accept(b);
        return b;
    }

    private void trends(ObjectNode b) {
        ArrayNode series = b.putArray("series");
        if (events.isEmpty()) events.add(null);
        for (String e : events) {
            ObjectNode s = selection(series.addObject(), e);
            if (measure != null) s.put("measure", measure);
            if (property != null) s.put("property", property);
        }
        if (interval != null) b.put("interval", interval);
        if (breakdown != null) b.putObject("breakdown").put("property", breakdown);
        if (formula != null) b.putArray("formulas").addObject().put("formula", formula);
        if (compare) b.put("compare", "previous");
    }

    private void funnel(ObjectNode b) {
        ArrayNode steps = b.putArray("steps");
        for (String e : events) selection(steps.addObject(), e);
        if (window != null) b.put("window", window);
        if (strict) b.put("order", "strict");
        if (breakdown != null) b.putObject("breakdown").put("property", breakdown);
    }

    private void retention(ObjectNode b) {
        selection(b.putObject("start"), start);
        selection(b.putObject("return"), returning);
        if (interval != null) b.put("interval", interval);
        if (periods != null) b.put("periods", periods);
        if (breakdown != null) b.putObject("breakdown").put("property", breakdown);
    }

    /** An event by name ({@code null}: every event) with the {@code --where} filters. */
    private ObjectNode selection(ObjectNode s, String event) {
        if (event == null) s.put("type", "any");
        else s.put("event", event);
        if (!where.isEmpty()) {
            ArrayNode filters = s.putArray("filters");
            for (String w : where) {
                Matcher m = WHERE.matcher(w);
                if (!m.matches())
                    throw new IllegalArgumentException("--where '" + w + "': write property=value, "
                            + "property!=value, property>number, property<number or property~text");
                ObjectNode f = filters.addObject();
                f.put("property", m.group(1).trim());
                f.put(
                        "op",
                        switch (m.group(2)) {
                            case "!=" -> "neq";
                            case ">=" -> "gte";
                            case "<=" -> "lte";
                            case ">" -> "gt";
                            case "<" -> "lt";
                            case "~" -> "contains";
                            default -> "eq";
                        });
                String v = m.group(3).trim();
                if (v.matches("-?\\d+(\\.\\d+)?")) f.put("value", Double.parseDouble(v));
                else f.put("value", v);
            }
        }
        return s;
    }
}
