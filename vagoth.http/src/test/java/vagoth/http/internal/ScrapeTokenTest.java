package vagoth.http.internal;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import vagoth.api.InvalidValueException;

class ScrapeTokenTest {
    @TempDir
    Path etc;

    @Test
    void theTokenInTheFileMatchesItselfOnly() throws Exception {
        Files.writeString(etc.resolve("metrics.token"), "  0123456789abcdef0123  \nignored\n");
        ScrapeToken t = ScrapeToken.read(etc.resolve("metrics.token"));
        assertTrue(t.matches("0123456789abcdef0123"));
        assertFalse(t.matches("0123456789abcdef012"));
        assertFalse(t.matches(""));
    }

    @Test
    void aMissingFileOrAShortTokenIsAnErrorNamingTheFileAndKey() throws Exception {
        String missing = assertThrows(InvalidValueException.class, () -> ScrapeToken.read(etc.resolve("nope")))
                .getMessage();
        assertTrue(missing.startsWith("etc/vagoth.http.cfg: metrics.token.file = ") && missing.contains("no such file"),
                missing);
        Files.writeString(etc.resolve("short"), "abc\n");
        String shortOne = assertThrows(InvalidValueException.class, () -> ScrapeToken.read(etc.resolve("short")))
                .getMessage();
        assertTrue(shortOne.contains("metrics.token.file") && shortOne.contains("3 characters"), shortOne);
        Files.writeString(etc.resolve("empty"), "");
        assertThrows(InvalidValueException.class, () -> ScrapeToken.read(etc.resolve("empty")));
    }
}
