package vagoth.shell.internal;

import vagoth.api.Printable;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Dictionary;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.apache.felix.service.command.Descriptor;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * Config Admin's commands for the shell: what configuration each component
 * has now ({@code cm:list}, {@code cm:get PID}). Read-only: the files in
 * {@code etc/} are the configuration (the daemon and the shell apply an edit
 * within a second), so a change made here would be lost at the next start.
 */
@Component(service = ConfigCommands.class, property = {"osgi.command.scope=cm", "osgi.command.function=list",
    "osgi.command.function=get"})
public final class ConfigCommands {
    /** Where a configuration came from, as the launcher and FileInstall note it. */
    private static final String FILE = "felix.fileinstall.filename";
    private final ConfigurationAdmin admin;

    @Activate
    public ConfigCommands(@Reference ConfigurationAdmin admin) {
        this.admin = admin;
    }

    @Descriptor("the configurations Config Admin holds (change them in etc/PID.cfg): each PID and its file")
    public String list() throws IOException, InvalidSyntaxException {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"PID", "FACTORY", "FILE"});
        for (Configuration c : configurations(null)) {
            Object file = c.getProperties() == null ? null : c.getProperties().get(FILE);
            rows.add(new String[] {c.getPid(), c.getFactoryPid() == null ? "-" : c.getFactoryPid(),
                file == null ? "-" : file.toString().replaceFirst("^file:", "")});
        }
        return Columns.of(rows);
    }

    @Descriptor("one configuration's properties, as its component has them now")
    public String get(@Descriptor("PID, as cm:list shows it") String pid) throws IOException, InvalidSyntaxException {
        if (!pid.matches("[A-Za-z0-9._~-]+")) {
            throw new IllegalArgumentException("cm:get: '" + pid + "' is not a PID (cm:list shows them)");
        }
        List<Configuration> found = configurations("(service.pid=" + pid + ")");
        if (found.isEmpty() || found.get(0).getProperties() == null) {
            throw new IllegalArgumentException("cm:get: no configuration " + pid + " (cm:list shows them)");
        }
        Map<String, String> props = new TreeMap<>();
        Dictionary<String, Object> d = found.get(0).getProperties();
        for (String k : Collections.list(d.keys())) {
            props.put(k, Printable.of(String.valueOf(d.get(k))));
        }
        List<String> lines = new ArrayList<>();
        props.forEach((k, v) -> lines.add(k + " = " + v));
        return String.join("\n", lines);
    }

    private List<Configuration> configurations(String filter) throws IOException, InvalidSyntaxException {
        Configuration[] all = admin.listConfigurations(filter);
        List<Configuration> list = all == null ? new ArrayList<>() : new ArrayList<>(List.of(all));
        list.sort(java.util.Comparator.comparing(Configuration::getPid));
        return list;
    }
}
