package vagoth.access.file.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonParseException;

import vagoth.api.Installation;
import vagoth.api.InvalidValueException;
import vagoth.api.Names;
import vagoth.api.VagothException;
import vagoth.api.access.AccessToken;
import vagoth.api.access.AccessTokens;
import vagoth.api.access.IssuedToken;
import vagoth.api.access.Role;
import vagoth.api.access.TokenNotFoundException;
import vagoth.support.io.Durable;
import vagoth.support.io.FileIo;
import vagoth.support.io.SharedFileLock;

/**
 * The remote API's tokens in one JSON file, {@code var/access/tokens.json}
 * (owner-only, as the whole home): each token's id, name, role, times and
 * the SHA-256 of its secret, never the secret. Every change is a durable
 * rewrite under a lock the command line and the daemon share, so a token
 * created or revoked by one is what the other sees at its next request (the
 * file is read again whenever it changed).
 */
@Component(service = AccessTokens.class, property = "vagoth.access=file")
public final class FileAccessTokens implements AccessTokens {
    static final String PREFIX = "vgt_";
    private static final int SECRET_BYTES = 32;
    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create();

    private final FileIo io;
    private final Path file;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();
    private final SharedFileLock lock;
    /** Compared against when the id is unknown, so an unknown id takes as long as a wrong secret. */
    private final byte[] decoy = new byte[32];

    // guarded by this: the file as last read, and what identified it then
    private Map<String, Stored> tokens = new LinkedHashMap<>();
    private Object readKey;

    @Activate
    public FileAccessTokens(BundleContext context) {
        this(FileIo.REAL, directory(context), Clock.systemUTC());
    }

    /** Tokens in {@code dir}, their file changes going through {@code io} (crash tests inject faults there). */
    public FileAccessTokens(FileIo io, Path dir, Clock clock) {
        this.io = io;
        this.file = dir.resolve("tokens.json");
        this.clock = clock;
        try {
            if (!Files.isDirectory(dir)) {
                io.createDirectories(dir);
                io.syncDirectory(dir.getParent());
            }
            lock = SharedFileLock.open(io, dir.resolve("tokens.lock"));
        } catch (IOException e) {
            throw new VagothException("cannot open the API tokens in " + dir + ": " + e.getMessage(), null, e);
        }
        random.nextBytes(decoy);
    }

    private static Path directory(BundleContext context) {
        String home = context.getProperty(Installation.HOME_PROPERTY);
        if (home == null || home.isBlank()) {
            throw new VagothException("API tokens have no directory: set vagoth.home");
        }
        return Path.of(home, "var", "access");
    }

    @Deactivate
    void close() throws IOException {
        lock.close();
    }

    @Override
    public synchronized IssuedToken create(Role role, String name, Duration validFor) {
        Names.requireSafe("token name", name);
        if (validFor != null && (validFor.isNegative() || validFor.isZero())) {
            throw new InvalidValueException("a token's validity must be positive, not " + validFor, null);
        }
        try (SharedFileLock.Held held = lock.lock(false)) {
            refresh();
            for (Stored s : tokens.values()) {
                if (s.name.equals(name)) {
                    throw new InvalidValueException("a token named " + name + " exists already (id " + s.id
                            + "; 'vagoth token revoke " + s.id + "' removes it)", null);
                }
            }
            String id;
            do {
                byte[] b = new byte[4];
                random.nextBytes(b);
                id = HexFormat.of().formatHex(b);
            } while (tokens.containsKey(id));
            byte[] secret = new byte[SECRET_BYTES];
            random.nextBytes(secret);
            String encoded = Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
            Instant now = clock.instant().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
            Stored s = new Stored(id, name, role.label(), now.toString(),
                    validFor == null ? null : now.plus(validFor).toString(), hash(encoded));
            Map<String, Stored> next = new LinkedHashMap<>(tokens);
            next.put(id, s);
            write(next);
            return new IssuedToken(s.token(file), PREFIX + id + "_" + encoded);
        } catch (IOException e) {
            throw new VagothException("cannot write " + file + ": " + e.getMessage(), null, e);
        }
    }

    @Override
    public synchronized List<AccessToken> list() {
        try (SharedFileLock.Held held = lock.lock(true)) {
            refresh();
        } catch (IOException e) {
            throw new VagothException("cannot read " + file + ": " + e.getMessage(), null, e);
        }
        List<AccessToken> list = new ArrayList<>();
        for (Stored s : tokens.values()) {
            list.add(s.token(file));
        }
        return list;
    }

    @Override
    public synchronized AccessToken revoke(String id) {
        try (SharedFileLock.Held held = lock.lock(false)) {
            refresh();
            Stored s = tokens.get(id);
            if (s == null) {
                throw new TokenNotFoundException(id);
            }
            Map<String, Stored> next = new LinkedHashMap<>(tokens);
            next.remove(id);
            write(next);
            return s.token(file);
        } catch (IOException e) {
            throw new VagothException("cannot write " + file + ": " + e.getMessage(), null, e);
        }
    }

    @Override
    public Optional<AccessToken> authenticate(String bearer) {
        if (bearer == null || !bearer.startsWith(PREFIX) || bearer.length() > 200) {
            return Optional.empty();
        }
        int sep = bearer.indexOf('_', PREFIX.length());
        if (sep < 0) {
            return Optional.empty();
        }
        String id = bearer.substring(PREFIX.length(), sep);
        byte[] presented = hashBytes(bearer.substring(sep + 1));
        Stored s;
        synchronized (this) {
            try (SharedFileLock.Held held = lock.lock(true)) {
                refresh();
            } catch (IOException e) {
                throw new VagothException("cannot read " + file + ": " + e.getMessage(), null, e);
            }
            s = tokens.get(id);
        }
        byte[] expected = s == null ? decoy : Base64.getDecoder().decode(s.hash);
        boolean same = MessageDigest.isEqual(presented, expected); // constant time in the bytes compared
        if (!same || s == null) {
            return Optional.empty();
        }
        AccessToken t = s.token(file);
        return t.expiredAt(clock.instant()) ? Optional.empty() : Optional.of(t);
    }

    /** Reads the file again if it changed since it was last read (another process created or revoked a token). */
    private void refresh() throws IOException {
        BasicFileAttributes a;
        try {
            a = Files.readAttributes(file, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            tokens = new LinkedHashMap<>();
            readKey = null;
            return;
        }
        Object key = List.of(String.valueOf(a.fileKey()), a.lastModifiedTime(), a.size());
        if (key.equals(readKey)) {
            return;
        }
        String text = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
        Map<String, Stored> read = new LinkedHashMap<>();
        try {
            Document d = GSON.fromJson(text, Document.class);
            if (d == null || d.tokens == null) {
                throw new JsonParseException("no \"tokens\" list");
            }
            for (Stored s : d.tokens) {
                s.check(file);
                read.put(s.id, s);
            }
        } catch (JsonParseException | IllegalStateException e) {
            throw new VagothException(file + " is not a token file Vagoth wrote (" + e.getMessage()
                    + "): put back a copy, or move it away to start with no tokens");
        }
        tokens = read;
        readKey = key;
    }

    private void write(Map<String, Stored> next) throws IOException {
        Document d = new Document();
        d.tokens = new ArrayList<>(next.values());
        Durable.write(io, file, (GSON.toJson(d) + "\n").getBytes(StandardCharsets.UTF_8));
        tokens = next;
        readKey = null; // read again next time: the write's own times are what identify it
    }

    private static String hash(String secret) {
        return Base64.getEncoder().encodeToString(hashBytes(secret));
    }

    private static byte[] hashBytes(String secret) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no SHA-256", e);
        }
    }

    /** The file's form. */
    private static final class Document {
        int version = 1;
        List<Stored> tokens;
    }

    /** One token as the file holds it. */
    private static final class Stored {
        String id;
        String name;
        String role;
        String created;
        String expires;
        String hash;

        Stored(String id, String name, String role, String created, String expires, String hash) {
            this.id = id;
            this.name = name;
            this.role = role;
            this.created = created;
            this.expires = expires;
            this.hash = hash;
        }

        void check(Path file) {
            if (id == null || name == null || role == null || created == null || hash == null) {
                throw new IllegalStateException("a token without id, name, role, created or hash");
            }
            token(file);
            try {
                if (Base64.getDecoder().decode(hash).length == 32) {
                    return;
                }
            } catch (IllegalArgumentException e) {
                // said below
            }
            throw new IllegalStateException("token " + id + " has a hash that is not SHA-256's");
        }

        AccessToken token(Path file) {
            try {
                return new AccessToken(id, name, Role.of(role), Instant.parse(created),
                        expires == null ? null : Instant.parse(expires));
            } catch (IllegalArgumentException | DateTimeParseException e) {
                throw new IllegalStateException("token " + id + " in " + file + ": " + e.getMessage());
            }
        }
    }
}
