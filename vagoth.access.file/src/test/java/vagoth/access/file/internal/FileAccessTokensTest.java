package vagoth.access.file.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import vagoth.api.InvalidNameException;
import vagoth.api.InvalidValueException;
import vagoth.api.VagothException;
import vagoth.api.access.AccessToken;
import vagoth.api.access.IssuedToken;
import vagoth.api.access.Role;
import vagoth.api.access.TokenNotFoundException;
import vagoth.support.faults.FaultInjectingFileIo;
import vagoth.support.io.FileIo;
import vagoth.testing.HandClock;

class FileAccessTokensTest {
    @TempDir
    Path dir;

    private FileAccessTokens store(Clock clock) {
        return new FileAccessTokens(FileIo.REAL, dir.resolve("access"), clock);
    }

    @Test
    void aCreatedTokenIsAcceptedUntilItIsRevoked() {
        FileAccessTokens tokens = store(Clock.systemUTC());
        IssuedToken t = tokens.create(Role.OPERATOR, "ci", null);
        assertTrue(t.bearer().startsWith("vgt_" + t.token().id() + "_"), t.bearer());
        assertEquals(Role.OPERATOR, tokens.authenticate(t.bearer()).orElseThrow().role());
        assertEquals("ci", tokens.authenticate(t.bearer()).orElseThrow().name());
        assertEquals(List.of(t.token()), tokens.list());
        tokens.revoke(t.token().id());
        assertTrue(tokens.authenticate(t.bearer()).isEmpty());
        assertTrue(tokens.list().isEmpty());
        assertThrows(TokenNotFoundException.class, () -> tokens.revoke(t.token().id()));
    }

    @Test
    void onlyTheHashIsKept() throws IOException {
        IssuedToken t = store(Clock.systemUTC()).create(Role.ADMIN, "root-laptop", null);
        String file = Files.readString(dir.resolve("access/tokens.json"));
        // the secret is all after "vgt_ID_" (base64url: it may hold '_' itself, so not after the last one)
        String secret = t.bearer().substring(("vgt_" + t.token().id() + "_").length());
        assertTrue(secret.length() >= 32, t.bearer());
        assertFalse(file.contains(secret), file);
        assertTrue(file.contains("\"hash\""), file);
        assertFalse(t.toString().contains(secret), "printing the issued token shows no secret");
    }

    @Test
    void aWrongSecretAnUnknownIdOrAMalformedBearerIsRefused() {
        FileAccessTokens tokens = store(Clock.systemUTC());
        IssuedToken t = tokens.create(Role.VIEWER, "grafana", null);
        String bearer = t.bearer();
        char last = bearer.charAt(bearer.length() - 1);
        assertTrue(tokens.authenticate(bearer.substring(0, bearer.length() - 1) + (last == 'A' ? 'B' : 'A')).isEmpty());
        assertTrue(tokens.authenticate("vgt_00000000_" + bearer.substring(("vgt_" + t.token().id() + "_").length())).isEmpty());
        for (String bad : new String[] {"", "vgt_", "vgt_x", "Bearer " + bearer, bearer + "_", "x".repeat(300)}) {
            assertTrue(tokens.authenticate(bad).isEmpty(), bad);
        }
        assertTrue(tokens.authenticate(null).isEmpty());
    }

    @Test
    void anExpiredTokenIsRefusedButStillListed() {
        HandClock clock = new HandClock(Instant.parse("2026-12-01T10:00:00Z"));
        FileAccessTokens tokens = store(clock);
        IssuedToken t = tokens.create(Role.VIEWER, "temp", Duration.ofHours(1));
        assertEquals(Instant.parse("2026-12-01T11:00:00Z"), t.token().expires());
        clock.advance(Duration.ofMinutes(59));
        assertTrue(tokens.authenticate(t.bearer()).isPresent());
        clock.advance(Duration.ofMinutes(1));
        assertTrue(tokens.authenticate(t.bearer()).isEmpty());
        assertEquals(1, tokens.list().size());
    }

    @Test
    void badNamesAndValiditiesChangeNothing() {
        FileAccessTokens tokens = store(Clock.systemUTC());
        tokens.create(Role.VIEWER, "one", null);
        assertThrows(InvalidNameException.class, () -> tokens.create(Role.VIEWER, "../x", null));
        InvalidValueException clash = assertThrows(InvalidValueException.class,
                () -> tokens.create(Role.ADMIN, "one", null));
        assertTrue(clash.getMessage().contains("exists already"), clash.getMessage());
        assertThrows(InvalidValueException.class, () -> tokens.create(Role.VIEWER, "two", Duration.ZERO));
        assertThrows(InvalidValueException.class, () -> tokens.create(Role.VIEWER, "two", Duration.ofSeconds(-5)));
        assertEquals(List.of("one"), tokens.list().stream().map(AccessToken::name).toList());
    }

    @Test
    void anotherProcessesRevocationIsSeenAtTheNextRequest() {
        FileAccessTokens daemon = store(Clock.systemUTC());
        FileAccessTokens cli = store(Clock.systemUTC()); // the command line's, in its own process
        IssuedToken t = cli.create(Role.OPERATOR, "deploy", null);
        assertTrue(daemon.authenticate(t.bearer()).isPresent(), "a token created elsewhere is accepted");
        cli.revoke(t.token().id());
        assertTrue(daemon.authenticate(t.bearer()).isEmpty(), "a token revoked elsewhere is refused at once");
    }

    @Test
    void aDamagedFileIsNamedAndNothingIsAccepted() throws IOException {
        FileAccessTokens tokens = store(Clock.systemUTC());
        IssuedToken t = tokens.create(Role.OPERATOR, "x", null);
        Files.writeString(dir.resolve("access/tokens.json"), "{\"tokens\": [{\"id\": \"1\"");
        VagothException e = assertThrows(VagothException.class, () -> tokens.authenticate(t.bearer()));
        assertTrue(e.getMessage().contains("tokens.json") && e.getMessage().contains("not a token file"),
                e.getMessage());
        Files.writeString(dir.resolve("access/tokens.json"), "{\"tokens\": [{\"id\": \"1\", \"name\": \"n\", "
                + "\"role\": \"superuser\", \"created\": \"2026-01-01T00:00:00Z\", \"hash\": \"AAAA\"}]}");
        e = assertThrows(VagothException.class, () -> tokens.list());
        assertTrue(e.getMessage().contains("superuser"), e.getMessage());
    }

    /** Power lost at each sync of a creation: the file holds the tokens from before, or the new one too. */
    @Test
    void aPowerLossDuringACreationLeavesTheOldOrTheNewTokens() throws IOException {
        store(Clock.systemUTC()).create(Role.ADMIN, "first", null);
        for (int at = 1; at <= 3; at++) {
            Path copy = dir.resolve("run" + at);
            copyTree(dir.resolve("access"), copy.resolve("access"));
            FaultInjectingFileIo io = new FaultInjectingFileIo(copy);
            io.crashAtSync(at);
            FileAccessTokens tokens = new FileAccessTokens(io, copy.resolve("access"), Clock.systemUTC());
            try {
                tokens.create(Role.VIEWER, "second", null);
            } catch (VagothException e) {
                // the power went during it
            }
            tokens.close(); // its lock file's channel went with the power
            List<String> names = new FileAccessTokens(FileIo.REAL, copy.resolve("access"), Clock.systemUTC()).list()
                    .stream().map(AccessToken::name).toList();
            assertTrue(names.equals(List.of("first")) || names.equals(List.of("first", "second")),
                    "after a power loss at sync " + at + ": " + names);
        }
    }

    /** A creation that returned is there after a power loss. */
    @Test
    void aCreationThatReturnedSurvivesAPowerLoss() throws IOException {
        FaultInjectingFileIo io = new FaultInjectingFileIo(dir);
        FileAccessTokens tokens = new FileAccessTokens(io, dir.resolve("access"), Clock.systemUTC());
        IssuedToken t = tokens.create(Role.VIEWER, "kept", null);
        io.powerLoss();
        tokens.close();
        assertTrue(new FileAccessTokens(FileIo.REAL, dir.resolve("access"), Clock.systemUTC()).authenticate(t.bearer())
                .isPresent());
    }

    private static void copyTree(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (var files = Files.list(from)) {
            for (Path f : files.toList()) {
                Files.copy(f, to.resolve(f.getFileName()));
            }
        }
    }
}
