package vagoth.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.Timeout;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

@Timeout(120)
class AgentTest {
    @TempDir
    Path dir;

    private Agent sim() throws AgentException {
        return new Agent(new SimBackend(dir, 2048, 2));
    }

    private static JsonObject parse(String answer) {
        return JsonParser.parseString(answer).getAsJsonObject();
    }

    private static void assertError(String code, String answer) {
        JsonObject o = parse(answer);
        assertEquals(false, o.get("success").getAsBoolean(), answer);
        assertEquals(code, o.get("errorcode").getAsString(), answer);
        assertTrue(o.get("message").getAsString().length() > 10, answer);
    }

    @Test
    void badRequestsGetAClearErrorCodeNeverAStackTrace() throws Exception {
        Agent a = sim();
        assertError("bad_request", a.answer("not json"));
        assertError("bad_request", a.answer("[1,2]"));
        assertError("bad_request", a.answer(""));
        assertError("missing_argument", a.answer("{}"));
        assertError("unknown_action", a.answer("{\"action\":\"explode\"}"));
        assertError("missing_argument", a.answer("{\"action\":\"start\",\"data\":{}}"));
        assertError("missing_argument", a.answer("{\"action\":\"define\",\"data\":{\"vm_name\":\"vm1\"}}"));
        assertError("bad_name", a.answer("{\"action\":\"start\",\"data\":{\"vm_name\":\"../../etc\"}}"));
        assertError("bad_name", a.answer("{\"action\":\"start\",\"data\":{\"vm_name\":\"x; rm -rf /\"}}"));
        assertError("bad_definition",
                a.answer("{\"action\":\"define\",\"data\":{\"vm_name\":\"vm1\",\"definition\":{\"ram\":[1]}}}"));
        assertError("not_defined", a.answer("{\"action\":\"start\",\"data\":{\"vm_name\":\"vm1\"}}"));
    }

    @Test
    void theSimulatedHypervisorKeepsItsVmsAndCapacity() throws Exception {
        Agent a = sim();
        String def = "{\"action\":\"define\",\"data\":{\"vm_name\":\"vm1\",\"definition\":{\"ram\":512,\"template\":\"busybox\"}}}";
        assertEquals("{\"success\":true,\"data\":null}", a.answer(def));
        a.answer("{\"action\":\"start\",\"data\":{\"vm_name\":\"vm1\"}}");
        JsonObject status = parse(a.answer("{\"action\":\"status\"}")).getAsJsonObject("data");
        assertEquals("running", status.getAsJsonObject("vms").getAsJsonObject("vm1").getAsJsonArray("state").get(0).getAsString());
        assertEquals("512", status.getAsJsonObject("vms").getAsJsonObject("vm1").getAsJsonObject("definition").get("ram").getAsString());
        assertEquals(2048, status.getAsJsonObject("status").get("mem_total").getAsLong());
        assertEquals(1536, status.getAsJsonObject("status").get("mem_free").getAsLong());
        assertError("vm_running", a.answer("{\"action\":\"undefine\",\"data\":{\"vm_name\":\"vm1\"}}"));
        // a fresh agent process (here: a new instance) sees the same state
        assertEquals("running", parse(sim().answer("{\"action\":\"info\",\"data\":{\"vm_name\":\"vm1\"}}"))
                .getAsJsonObject("data").getAsJsonArray("state").get(0).getAsString());
    }

    @Test
    void aFarmServesManyHypervisorsByName() throws Exception {
        Agent.Options opts = Agent.Options.parse(new String[] {"--backend", "sim", "--farm", dir.toString()});
        Agent farm = new Agent(hv -> {
            try {
                return new SimBackend(opts.farm().resolve(hv), 1024, 1);
            } catch (AgentException e) {
                throw new IllegalStateException(e);
            }
        });
        farm.answer("{\"action\":\"define\",\"hypervisor\":\"hv1\",\"data\":{\"vm_name\":\"a\",\"definition\":{}}}");
        String hv2 = farm.answer("{\"action\":\"status\",\"hypervisor\":\"hv2\"}");
        assertTrue(hv2.contains("\"vms\":{}"), hv2);
        assertTrue(farm.answer("{\"action\":\"status\",\"hypervisor\":\"hv1\"}").contains("\"a\""));
        assertError("missing_argument", farm.answer("{\"action\":\"status\"}"));
        assertError("bad_name", farm.answer("{\"action\":\"status\",\"hypervisor\":\"../x\"}"));
    }

    @Test
    void theCommandLineIsChecked() {
        assertThrows(AgentException.class, () -> Agent.Options.parse(new String[] {}));
        assertThrows(AgentException.class, () -> Agent.Options.parse(new String[] {"--backend", "sim"}));
        assertThrows(AgentException.class, () -> Agent.Options.parse(new String[] {"--backend", "xen"}));
        assertThrows(AgentException.class, () -> Agent.Options.parse(new String[] {"--backend", "sim", "--state", "/x",
            "--cpus", "zero"}));
        assertThrows(AgentException.class, () -> Agent.Options.parse(new String[] {"--bogus"}));
    }
}
