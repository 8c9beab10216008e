package vagoth.provisioner.template.internal;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;

import vagoth.api.Names;
import vagoth.api.provision.ProvisioningException;

/** Templates: {@code <dir>/<name>.json}, each a JSON object of definition pairs (strings or numbers). */
final class Templates {
    private final Path dir;

    Templates(Path dir) {
        this.dir = dir;
    }

    Map<String, Map<String, String>> all() {
        Map<String, Map<String, String>> out = new TreeMap<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*.json")) {
            for (Path p : ds) {
                String name = p.getFileName().toString().replaceFirst("\\.json$", "");
                out.put(name, read(name, p));
            }
        } catch (IOException e) {
            throw new ProvisioningException("Cannot read templates in " + dir + ": " + e.getMessage(), null);
        }
        return out;
    }

    /** The template names, without reading the files. */
    java.util.Set<String> names() {
        java.util.Set<String> names = new java.util.TreeSet<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*.json")) {
            ds.forEach(p -> names.add(p.getFileName().toString().replaceFirst("\\.json$", "")));
        } catch (IOException e) {
            // no directory: no templates
        }
        return names;
    }

    Map<String, String> get(String name, String node) {
        if (!Names.isSafe(name)) {
            throw new ProvisioningException("Invalid template name '" + name + "'", node);
        }
        Path p = dir.resolve(name + ".json");
        if (!Files.exists(p)) {
            throw new ProvisioningException("Unknown template " + name + " (templates: "
                    + String.join(", ", names()) + "; they live in " + dir + ")", node);
        }
        return read(name, p);
    }

    private static Map<String, String> read(String name, Path p) {
        try {
            JsonElement e = JsonParser.parseString(Files.readString(p));
            if (!e.isJsonObject()) {
                throw new ProvisioningException("Template " + p + " is not a JSON object", null);
            }
            Map<String, String> def = new TreeMap<>();
            for (Map.Entry<String, JsonElement> kv : ((JsonObject) e).entrySet()) {
                if (!kv.getValue().isJsonPrimitive()) {
                    throw new ProvisioningException("Template " + p + ": the value of " + kv.getKey()
                            + " must be a string or a number", null);
                }
                def.put(kv.getKey(), kv.getValue().getAsString());
            }
            def.put("template", name);
            return def;
        } catch (NoSuchFileException ex) {
            throw new ProvisioningException("Template " + p + " has disappeared", null);
        } catch (IOException | JsonParseException ex) {
            throw new ProvisioningException("Template " + p + " is not valid JSON: " + ex.getMessage(), null);
        }
    }
}
