package vagoth.http.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

import vagoth.api.InvalidValueException;

/**
 * The token {@code metrics.token.file} holds, which reads {@code /metrics}
 * and nothing else: only its SHA-256 is kept, and a presented token is
 * compared with it in constant time.
 */
final class ScrapeToken {
    static final String KEY = "metrics.token.file";
    /** Shorter than this is guessable. */
    static final int MIN_LENGTH = 16;
    private final byte[] hash;

    private ScrapeToken(byte[] hash) {
        this.hash = hash;
    }

    /**
     * The token in {@code file} (its first line, trimmed); a file that is
     * missing, unreadable, empty or too short is an error naming the
     * configuration's file and key.
     */
    static ScrapeToken read(Path file) {
        String where = "etc/vagoth.http.cfg: " + KEY + " = " + file;
        String token;
        try {
            token = Files.readString(file, StandardCharsets.UTF_8).lines().findFirst().orElse("").trim();
        } catch (NoSuchFileException e) {
            throw new InvalidValueException(where + ": no such file (write a token of at least " + MIN_LENGTH
                    + " characters there, e.g. openssl rand -hex 32)", null);
        } catch (IOException e) {
            throw new InvalidValueException(where + ": cannot be read: " + e.getMessage(), null);
        }
        if (token.length() < MIN_LENGTH) {
            throw new InvalidValueException(where + ": the token there is " + token.length()
                    + " characters; a scrape token has at least " + MIN_LENGTH, null);
        }
        return new ScrapeToken(sha256(token));
    }

    boolean matches(String presented) {
        return MessageDigest.isEqual(hash, sha256(presented));
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
