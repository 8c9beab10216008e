package vagoth.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ResourcesTest {
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "ram       | abc   | ram=abc: not a whole number",
        "ram       | -5    | ram=-5: must not be negative",
        "cpus      | 1e9   | cpus=1e9: not a whole number",
        "cpus      | 70000 | cpus=70000: too large (at most 65536)",
        "mem_total | 1.5   | mem_total=1.5: not a whole number",
        "max_vms   | -1    | max_vms=-1: must not be negative",
        "disk      | lots  | disk=lots: a disk size is a whole number with an optional unit K, M, G or T (like 10G)",
    })
    void aValuePlacementCannotUseIsRefusedWithKeyAndReason(String key, String value, String message) {
        InvalidValueException e = assertThrows(InvalidValueException.class,
                () -> Node.of("vm1", "vm1", "vm").withDefinition(Map.of(key, value)).validate());
        assertEquals(message, e.getMessage());
        assertEquals("vm1", e.node().orElseThrow());
    }

    @ParameterizedTest
    @ValueSource(strings = {"ram=512", "cpus=0", "disk=10G", "disk=1024", "mem_total=16384", "max_vms=30", "vm_type=lxc"})
    void usableValuesAndOtherKeysPass(String pair) {
        String[] kv = pair.split("=");
        Node.of("vm1", "vm1", "vm").withDefinition(Map.of(kv[0], kv[1])).validate();
    }
}
