package vagoth.agent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The host's memory, CPUs and load, from {@code /proc}. */
final class HostFacts {
    private HostFacts() {
    }

    static Map<String, Object> read() throws AgentException {
        Map<String, Object> facts = new LinkedHashMap<>();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                String[] f = line.split("\\s+");
                if (f[0].equals("MemTotal:")) {
                    facts.put("mem_total", Long.parseLong(f[1]) / 1024);
                } else if (f[0].equals("MemAvailable:")) {
                    facts.put("mem_free", Long.parseLong(f[1]) / 1024);
                }
            }
            String[] load = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            List<Double> avg = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                avg.add(Double.parseDouble(load[i]));
            }
            facts.put("load_avg", avg);
        } catch (IOException | RuntimeException e) {
            throw new AgentException("host_facts", "cannot read host facts from /proc: " + e.getMessage());
        }
        facts.put("cpus", Runtime.getRuntime().availableProcessors());
        return facts;
    }
}
