package vagoth.dist;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;

/**
 * Checks {@code etc/*.cfg} against what the components declare of their
 * configuration (their metatype: each attribute's type, bounds and allowed
 * values) before anything starts, so a bad value is reported as the file,
 * the key and the reason, and no component starts with it.
 */
final class ConfigCheck {
    /** The JDK's own streaming parser, which reads no DTD and resolves no external entity. */
    private static final XMLInputFactory XML = xmlInput();

    /** What a component says of one configuration key. */
    record Attribute(String id, String type, String min, String max, List<String> options, boolean multiple) {
    }

    /** A configuration value a component would not accept. */
    static final class BadConfiguration extends Exception {
        private static final long serialVersionUID = 1L;

        BadConfiguration(String message) {
            super(message);
        }
    }

    private final Map<String, Map<String, Attribute>> byPid = new HashMap<>();

    /** The declarations of the Vagoth bundles among {@code jars}, and of every plugin. */
    static ConfigCheck of(List<Path> jars) throws IOException {
        return of(jars, null);
    }

    /**
     * As {@link #of(List)}; a jar whose metatype is not XML is said on {@code warnings} (when not null) and its
     * configuration left unchecked: a plugin's broken description stops no command.
     */
    static ConfigCheck of(List<Path> jars, java.io.PrintStream warnings) throws IOException {
        ConfigCheck c = new ConfigCheck();
        for (Path jar : jars) {
            try {
                c.readJar(jar);
            } catch (BadMetatype e) {
                if (warnings != null) {
                    warnings.println("vagoth: warning: the configuration of " + jar + " is not checked: "
                            + e.getMessage());
                }
            }
        }
        return c;
    }

    /** A metatype document that is not XML. */
    static final class BadMetatype extends IOException {
        private static final long serialVersionUID = 1L;

        BadMetatype(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private void readJar(Path jar) throws IOException {
        try (JarFile j = new JarFile(jar.toFile())) {
            for (Enumeration<JarEntry> e = j.entries(); e.hasMoreElements();) {
                JarEntry entry = e.nextElement();
                if (entry.getName().startsWith("OSGI-INF/metatype/") && entry.getName().endsWith(".xml")) {
                    try (InputStream in = j.getInputStream(entry)) {
                        parse(in);
                    } catch (XMLStreamException ex) {
                        throw new BadMetatype(entry.getName() + " is not metatype XML (" + ex.getMessage() + ")", ex);
                    }
                }
            }
        }
    }

    /**
     * Reads one metatype document (with the JDK's streaming XML parser, which reads nothing the document points
     * to): its object class definitions, and the PIDs that designate them.
     */
    void parse(InputStream xml) throws IOException, XMLStreamException {
        Map<String, Map<String, Attribute>> byOcd = new HashMap<>();
        Map<String, String> designated = new HashMap<>(); // ocdref -> pid
        XMLStreamReader r = XML.createXMLStreamReader(xml);
        try {
            Map<String, Attribute> attrs = null;
            Map<String, String> ad = null;
            List<String> options = null;
            String pid = null;
            while (r.hasNext()) {
                int event = r.next();
                if (event == XMLStreamConstants.START_ELEMENT) {
                    switch (r.getLocalName()) {
                        case "OCD" -> {
                            attrs = new HashMap<>();
                            byOcd.put(r.getAttributeValue(null, "id"), attrs);
                        }
                        case "AD" -> {
                            ad = new HashMap<>();
                            for (int i = 0; i < r.getAttributeCount(); i++) {
                                ad.put(r.getAttributeLocalName(i), r.getAttributeValue(i));
                            }
                            options = new ArrayList<>();
                        }
                        case "Option" -> {
                            if (options != null) {
                                options.add(r.getAttributeValue(null, "value"));
                            }
                        }
                        case "Designate" -> {
                            pid = r.getAttributeValue(null, "factoryPid");
                            pid = pid != null ? pid : r.getAttributeValue(null, "pid");
                        }
                        case "Object" -> {
                            if (pid != null) {
                                designated.put(r.getAttributeValue(null, "ocdref"), pid);
                            }
                        }
                        default -> {
                            // other elements (Icon, the document's root) say nothing checked here
                        }
                    }
                } else if (event == XMLStreamConstants.END_ELEMENT && r.getLocalName().equals("AD") && ad != null
                        && attrs != null) {
                    attrs.put(ad.get("id"), new Attribute(ad.get("id"), ad.getOrDefault("type", "String"),
                            ad.get("min"), ad.get("max"), options, !ad.getOrDefault("cardinality", "0").equals("0")));
                    ad = null;
                    options = null;
                }
            }
        } finally {
            r.close();
        }
        designated.forEach((ocd, pid) -> {
            Map<String, Attribute> attrs = byOcd.get(ocd);
            if (attrs != null) {
                byPid.put(pid, attrs);
            }
        });
    }

    private static XMLInputFactory xmlInput() {
        XMLInputFactory f = XMLInputFactory.newDefaultFactory();
        f.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        f.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        f.setProperty(XMLInputFactory.IS_NAMESPACE_AWARE, true);
        return f;
    }

    /** Checks every {@code *.cfg} in {@code etc}; the first bad value is reported. */
    void check(Path etc) throws IOException, BadConfiguration {
        if (!Files.isDirectory(etc)) {
            return;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(etc, "*.cfg")) {
            for (Path file : files) {
                check(file, read(file));
            }
        }
    }

    /** Reads a configuration file as Config Admin will be given it. */
    static Properties read(Path file) throws IOException, BadConfiguration {
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            p.load(in);
        } catch (IllegalArgumentException e) {
            throw new BadConfiguration(file + ": cannot be read: " + e.getMessage());
        }
        return p;
    }

    /** Checks the values {@code file} holds against what its component declares. */
    void check(Path file, Properties p) throws BadConfiguration {
        for (String key : p.stringPropertyNames()) {
            if (key.endsWith(".target")) { // a reference's target: a filter SCR would reject, leaving no service
                String value = p.getProperty(key).trim();
                try {
                    org.osgi.framework.FrameworkUtil.createFilter(value);
                } catch (org.osgi.framework.InvalidSyntaxException e) {
                    throw new BadConfiguration(file + ": " + key + " = " + value + ": not a service filter, like"
                            + " (vagoth.scheduler=thread)");
                }
            }
        }
        String name = file.getFileName().toString().replaceFirst("\\.cfg$", "");
        if (name.equals("vagoth.provisioner.template")) {
            String why = NetworkCheck.problem(p.getProperty("subnet", "10.0.0.0/24"),
                    p.getProperty("gateway", "10.0.0.1"), p.getProperty("range", "10.0.0.10-10.0.0.250"));
            if (why != null) {
                throw new BadConfiguration(file + ": " + why);
            }
        }
        int dash = name.indexOf('-');
        Map<String, Attribute> attrs = byPid.get(dash < 0 ? name : name.substring(0, dash));
        if (attrs == null) {
            return; // not a component of ours, or of an installed plugin
        }
        for (String key : p.stringPropertyNames()) {
            Attribute a = attrs.get(key);
            if (a != null) {
                String value = p.getProperty(key).trim();
                String why = a.multiple() ? problemInList(a, value) : problem(a, value);
                if (why != null) {
                    throw new BadConfiguration(file + ": " + key + " = " + value + ": " + why);
                }
            }
        }
    }

    private static String problemInList(Attribute a, String value) {
        for (String v : value.split(",")) {
            String why = problem(a, v.trim());
            if (why != null) {
                return why;
            }
        }
        return null;
    }

    /** Why {@code value} does not fit {@code a}, or null when it does. */
    static String problem(Attribute a, String value) {
        switch (a.type()) {
            case "Long", "Integer", "Short", "Byte" -> {
                long v;
                try {
                    v = Long.parseLong(value);
                } catch (NumberFormatException e) {
                    return "not a whole number";
                }
                if (a.type().equals("Integer") && (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE)) {
                    return "too large";
                }
                return bounds(a, v);
            }
            case "Double", "Float" -> {
                double v;
                try {
                    v = Double.parseDouble(value);
                } catch (NumberFormatException e) {
                    return "not a number";
                }
                if (!Double.isFinite(v)) {
                    return "not a finite number";
                }
                return bounds(a, v);
            }
            case "Boolean" -> {
                return value.equalsIgnoreCase("true") || value.equalsIgnoreCase("false") ? null : "must be true or false";
            }
            default -> {
                return a.options().isEmpty() || a.options().contains(value) ? null
                        : "must be one of " + String.join(", ", a.options());
            }
        }
    }

    private static String bounds(Attribute a, double v) {
        if (a.min() != null && v < Double.parseDouble(a.min())) {
            return "must be at least " + a.min();
        }
        if (a.max() != null && v > Double.parseDouble(a.max())) {
            return "must be at most " + a.max();
        }
        return null;
    }
}
