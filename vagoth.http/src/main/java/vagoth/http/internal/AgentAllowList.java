package vagoth.http.internal;

import java.util.ArrayList;
import java.util.List;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;

import vagoth.support.cmd.CommandLine;

/**
 * The agent command lines the remote API may set ({@code agent.allowed} in
 * {@code etc/vagoth.virt.cfg}): an admin token is not a shell on the
 * coordinator. A hypervisor's agent is run by the daemon as the home's owner,
 * so a line the API sets must start with an allowed one, word for word (a
 * last word ending in {@code @} matches any {@code user@host} it begins). By
 * default only the distribution's own {@code bin/vagoth-agent}.
 */
@Component(service = AgentAllowList.class, configurationPid = "vagoth.virt",
        configurationPolicy = ConfigurationPolicy.OPTIONAL)
public final class AgentAllowList {
    /** What is read of {@code etc/vagoth.virt.cfg} (declared by the virt bundle). */
    @interface Config {
        String[] agent_allowed() default {};
    }

    private final List<List<String>> allowed = new ArrayList<>();
    private final String shown;

    @Activate
    public AgentAllowList(Config config) {
        this(List.of(config.agent_allowed()), System.getProperty("vagoth.dist"));
    }

    AgentAllowList(List<String> entries, String dist) {
        List<String> lines = new ArrayList<>();
        for (String e : entries) {
            if (!e.isBlank()) {
                lines.add(e.strip());
            }
        }
        if (lines.isEmpty() && dist != null) {
            lines.add(dist + "/bin/vagoth-agent");
        }
        lines.forEach(l -> allowed.add(CommandLine.split(l)));
        shown = lines.isEmpty() ? "none" : String.join(", ", lines);
    }

    /** @throws Api.Refusal 403 naming what is allowed, when {@code line} does not start with an allowed line */
    void check(String line) {
        List<String> argv;
        try {
            argv = CommandLine.split(line);
        } catch (RuntimeException e) {
            throw new Api.Refusal(400, "the agent command line cannot be read: " + e.getMessage());
        }
        for (List<String> a : allowed) {
            if (starts(argv, a)) {
                return;
            }
        }
        throw new Api.Refusal(403, "the remote API may not set this agent command line: it does not start with one"
                + " allowed by agent.allowed in etc/vagoth.virt.cfg (" + shown + "); the local command line may");
    }

    private static boolean starts(List<String> argv, List<String> prefix) {
        if (prefix.isEmpty() || argv.size() < prefix.size()) {
            return false;
        }
        for (int i = 0; i < prefix.size(); i++) {
            String p = prefix.get(i);
            boolean last = i == prefix.size() - 1;
            if (last && p.endsWith("@") ? !argv.get(i).startsWith(p) || argv.get(i).length() == p.length()
                    : !argv.get(i).equals(p)) {
                return false;
            }
        }
        return true;
    }
}
