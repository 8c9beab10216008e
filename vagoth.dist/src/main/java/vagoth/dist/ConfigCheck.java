package vagoth.dist;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
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
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks {@code etc/*.cfg} against what the components declare of their
 * configuration (their metatype: each attribute's type, bounds and allowed
 * values) before anything starts, so a bad value is reported as the file,
 * the key and the reason, and no component starts with it.
 */
final class ConfigCheck {
    private static final Pattern OCD = Pattern.compile("<OCD\\s([^>]*)>(.*?)</OCD>", Pattern.DOTALL);
    private static final Pattern AD = Pattern.compile("<AD\\s([^>]*?)(/>|>(.*?)</AD>)", Pattern.DOTALL);
    private static final Pattern OPTION = Pattern.compile("<Option\\s([^>]*?)/>");
    private static final Pattern DESIGNATE = Pattern.compile("<Designate\\s([^>]*)>\\s*<Object\\s([^>]*?)/>");
    private static final Pattern ATTRIBUTE = Pattern.compile("([\\w:]+)=\"([^\"]*)\"");

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
        ConfigCheck c = new ConfigCheck();
        for (Path jar : jars) {
            c.readJar(jar);
        }
        return c;
    }

    private void readJar(Path jar) throws IOException {
        try (JarFile j = new JarFile(jar.toFile())) {
            for (Enumeration<JarEntry> e = j.entries(); e.hasMoreElements();) {
                JarEntry entry = e.nextElement();
                if (entry.getName().startsWith("OSGI-INF/metatype/") && entry.getName().endsWith(".xml")) {
                    try (InputStream in = j.getInputStream(entry)) {
                        parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
                    }
                }
            }
        }
    }

    void parse(String xml) {
        Map<String, Map<String, Attribute>> byOcd = new HashMap<>();
        Matcher ocd = OCD.matcher(xml);
        while (ocd.find()) {
            Map<String, Attribute> attrs = new HashMap<>();
            Matcher ad = AD.matcher(ocd.group(2));
            while (ad.find()) {
                Map<String, String> a = attributes(ad.group(1));
                List<String> options = new ArrayList<>();
                if (ad.group(3) != null) {
                    Matcher o = OPTION.matcher(ad.group(3));
                    while (o.find()) {
                        options.add(attributes(o.group(1)).get("value"));
                    }
                }
                String cardinality = a.getOrDefault("cardinality", "0");
                attrs.put(a.get("id"), new Attribute(a.get("id"), a.getOrDefault("type", "String"), a.get("min"),
                        a.get("max"), options, !cardinality.equals("0")));
            }
            byOcd.put(attributes(ocd.group(1)).get("id"), attrs);
        }
        Matcher d = DESIGNATE.matcher(xml);
        while (d.find()) {
            Map<String, String> designate = attributes(d.group(1));
            String pid = designate.getOrDefault("factoryPid", designate.get("pid"));
            Map<String, Attribute> attrs = byOcd.get(attributes(d.group(2)).get("ocdref"));
            if (pid != null && attrs != null) {
                byPid.put(pid, attrs);
            }
        }
    }

    private static Map<String, String> attributes(String text) {
        Map<String, String> out = new HashMap<>();
        Matcher m = ATTRIBUTE.matcher(text);
        while (m.find()) {
            out.put(m.group(1), m.group(2).replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"")
                    .replace("&apos;", "'").replace("&amp;", "&"));
        }
        return out;
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
