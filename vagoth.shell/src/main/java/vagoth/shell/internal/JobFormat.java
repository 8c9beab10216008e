package vagoth.shell.internal;

import vagoth.api.Printable;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.LinkedHashMap;
import java.util.Map;


import vagoth.api.action.Action;
import vagoth.api.job.Job;
import vagoth.support.json.JobJson;
import vagoth.support.json.Json;

/** How jobs look on the command line. */
final class JobFormat {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss")
            .withZone(ZoneId.systemDefault());
    private final Style style;

    JobFormat(Style style) {
        this.style = style;
    }

    String table(List<Job> jobs) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"ID", "STATE", "ACTION", "NODE", "TXID", "SOURCE", "CREATED", "ERROR"});
        for (Job j : jobs) {
            rows.add(new String[] {j.id(), j.state().label(), j.action(), node(j), j.txid(), j.source(), time(j.created()),
                firstLine(j)});
        }
        return Columns.of(rows, (column, cell) -> column == 1 ? style.state(cell) : cell);
    }

    /**
     * A job's error in the table: its first line, so each job stays one row
     * (an agent's error may carry its whole stderr); {@code vagoth job ID} shows all of it.
     */
    private static String firstLine(Job j) {
        String e = j.error() == null ? "" : j.error().strip();
        int nl = e.indexOf('\n');
        return nl < 0 ? Printable.of(e) : Printable.of(e.substring(0, nl).stripTrailing()) + " ... (vagoth job " + j.id()
                + ")";
    }

    String detail(Job j, java.util.List<String> steps) {
        StringBuilder sb = new StringBuilder();
        line(sb, "id", j.id());
        line(sb, "state", style.state(j.state().label()));
        line(sb, "action", j.action());
        line(sb, "node", node(j));
        line(sb, "queue", j.queue());
        line(sb, "txid", j.txid());
        line(sb, "source", j.source());
        line(sb, "created", time(j.created()));
        line(sb, "started", time(j.started()));
        line(sb, "finished", time(j.finished()));
        line(sb, "error", Printable.of(j.error()));
        sb.append("args:\n");
        new TreeMap<>(j.args()).forEach((k, v) -> sb.append("    ").append(k).append('=').append(Printable.of(v))
                .append('\n'));
        if (!steps.isEmpty()) {
            sb.append("steps:\n");
            steps.forEach(step -> sb.append("    ").append(Printable.of(step)).append('\n'));
        }
        return sb.toString().stripTrailing();
    }

    private static void line(StringBuilder sb, String name, String value) {
        sb.append(value.isEmpty() ? name + ":" : String.format("%-10s%s", name + ":", value)).append('\n');
    }

    static String node(Job j) {
        return j.args().getOrDefault(Action.NODE_ARG, "");
    }

    private static String time(Instant t) {
        return t == null ? "" : TIME.format(t);
    }

    static String json(List<Job> jobs) {
        return Json.pretty(jobs.stream().map(JobFormat::toJson).toList());
    }

    static String json(Job j) {
        return Json.pretty(toJson(j));
    }

    private static Map<String, Object> toJson(Job j) {
        return JobJson.of(j);
    }
}
