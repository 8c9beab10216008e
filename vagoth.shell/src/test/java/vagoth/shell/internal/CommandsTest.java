package vagoth.shell.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/** A command's usage is written once: what Gogo registers, help and parsing all come from it. */
class CommandsTest {

    /** The Gogo functions a command class registers, as its component description (built by bnd) says. */
    private static Set<String> registered(Class<?> type) throws Exception {
        String xml;
        try (InputStream in = type.getClassLoader().getResourceAsStream("OSGI-INF/" + type.getName() + ".xml")) {
            xml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        // several functions are the property's body, one its value
        Matcher m = Pattern.compile("<property name=\"osgi.command.function\" type=\"String\"(?:>([^<]*)</property>|"
                + " value=\"([^\"]*)\"/>)").matcher(xml);
        assertTrue(m.find(), type + " registers no functions");
        String functions = m.group(1) != null ? m.group(1) : m.group(2);
        return new TreeSet<>(Arrays.asList(functions.strip().split("\\s+")));
    }

    @Test
    void eachCommandClassRegistersExactlyTheCommandsItDescribes() throws Exception {
        for (Class<?> type : Commands.SUBJECTS.keySet()) {
            Set<String> registered = registered(type);
            Set<String> described = new TreeSet<>();
            for (Method m : type.getMethods()) {
                if (m.isAnnotationPresent(Usage.class)) {
                    described.add(m.getName().startsWith("_") ? m.getName().substring(1) : m.getName());
                }
            }
            assertEquals(described, registered, type.getSimpleName());
        }
    }

    @Test
    void everyCommandHasOneUsageAndTheParserKeepsIt() {
        assertEquals(36, Commands.all().size(), Commands.all().keySet().toString());
        CommandSpec migrate = Commands.spec("migrate");
        assertEquals("migrate [--dry-run] [--live] VM HV", migrate.synopsis());
        assertEquals(Usage.Arg.HV, migrate.arg(1));
        UsageException e = org.junit.jupiter.api.Assertions.assertThrows(UsageException.class,
                () -> ParsedArgs.parse(migrate, "vm1"));
        assertEquals("migrate: missing arguments\nusage: vagoth migrate [--dry-run] [--live] VM HV", e.getMessage());
        assertTrue(Arrays.stream(VmCommands.class.getMethods()).filter(m -> m.getName().equals("migrate"))
                .allMatch(m -> m.getAnnotation(org.apache.felix.service.command.Descriptor.class).value()
                        .equals(migrate.summary())), "Gogo's help shows the same summary");
    }
}
