package vagoth.http.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;

import org.junit.jupiter.api.Test;

/** The API sets only the agent command lines an operator allowed, word for word. */
class AgentAllowListTest {
    @Test
    void byDefaultOnlyTheDistributionsOwnAgent() {
        AgentAllowList l = new AgentAllowList(List.of(), "/opt/vagoth");
        l.check("/opt/vagoth/bin/vagoth-agent --backend sim --state /tmp/x");
        for (String bad : new String[] {"/bin/sh -c 'id > /tmp/pwned'", "/opt/vagoth/bin/vagoth-agent-evil",
            "ssh root@hv1 vagoth-agent", "/opt/vagoth/bin/../../bin/sh"}) {
            Api.Refusal r = assertThrows(Api.Refusal.class, () -> l.check(bad), bad);
            assertEquals(403, r.status, bad);
        }
    }

    @Test
    void anSshPrefixAllowsItsHostsAndNothingBeforeThem() {
        AgentAllowList l = new AgentAllowList(List.of("ssh -o BatchMode=yes root@"), "/opt/vagoth");
        l.check("ssh -o BatchMode=yes root@hv2 /opt/vagoth/bin/vagoth-agent --backend lxc");
        for (String bad : new String[] {"ssh -o ProxyCommand=/bin/sh root@hv2", "ssh -o BatchMode=yes root@",
            "ssh -o BatchMode=yes admin@hv2", "/opt/vagoth/bin/vagoth-agent"}) {
            assertEquals(403, assertThrows(Api.Refusal.class, () -> l.check(bad), bad).status, bad);
        }
    }
}
