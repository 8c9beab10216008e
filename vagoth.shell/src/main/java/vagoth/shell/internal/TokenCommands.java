package vagoth.shell.internal;

import vagoth.api.Printable;

import static vagoth.shell.internal.Session.parse;
import static vagoth.shell.internal.Session.run;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import vagoth.api.access.AccessToken;
import vagoth.api.access.AccessTokens;
import vagoth.api.access.IssuedToken;
import vagoth.api.access.Role;

/** The remote API's tokens: {@code token create}, {@code token list}, {@code token revoke}. */
@Component(service = TokenCommands.class, property = {"osgi.command.scope=vagoth", "osgi.command.function=token"})
public final class TokenCommands {
    private static final Pattern DURATION = Pattern.compile("([1-9][0-9]{0,6})([mhdw])");
    private final AccessTokens tokens;

    @Activate
    public TokenCommands(@Reference AccessTokens tokens) {
        this.tokens = tokens;
    }

    @Descriptor("tokens of the remote API: create one (shown once), list them, revoke one")
    @Usage(synopsis = "token create --role viewer|operator|admin [--name N] [--expires 30d|12h|90m|2w]"
            + " | token list | token revoke ID", values = {"role", "name", "expires"}, min = 1, max = 2)
    public String token(@Descriptor(NodeCommands.OPTIONS) String... args) {
        ParsedArgs a = parse("token", args);
        String what = a.arg(0);
        switch (what) {
            case "create":
                return create(a);
            case "list":
                if (a.positional().size() != 1 || a.value("role") != null || a.value("name") != null
                        || a.value("expires") != null) {
                    throw a.usage("token list takes nothing more");
                }
                return run("token list", null, this::list);
            case "revoke":
                if (a.positional().size() != 2) {
                    throw a.usage("token revoke takes the id of the token ('vagoth token list' shows them)");
                }
                return run("token revoke", null, () -> {
                    AccessToken t = tokens.revoke(a.arg(1));
                    return "token revoke: OK (" + t.id() + ", " + t.name() + ": no longer accepted)";
                });
            default:
                throw a.usage("'" + what + "' is not create, list or revoke");
        }
    }

    private String create(ParsedArgs a) {
        if (a.positional().size() != 1) {
            throw a.usage("token create takes its role and name as options");
        }
        if (a.value("role") == null) {
            throw a.usage("token create needs --role viewer, operator or admin");
        }
        Role role;
        try {
            role = Role.of(a.value("role"));
        } catch (IllegalArgumentException e) {
            throw a.usage(e.getMessage());
        }
        Duration validFor = a.value("expires") == null ? null : duration(a, a.value("expires"));
        String name = a.value("name") != null ? a.value("name")
                : role.label() + "-" + Instant.now().getEpochSecond();
        return run("token create", null, () -> {
            IssuedToken t = tokens.create(role, name, validFor);
            return "token create: OK (id " + t.token().id() + ", " + role.label() + ", named " + t.token().name()
                    + ", " + expiry(t.token()) + "); the token, shown this once (send it as 'Authorization: Bearer"
                    + " TOKEN'):\n" + t.bearer();
        });
    }

    private String list() {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"ID", "NAME", "ROLE", "CREATED", "EXPIRES"});
        Instant now = Instant.now();
        for (AccessToken t : tokens.list()) {
            rows.add(new String[] {t.id(), t.name(), t.role().label(), t.created().toString(),
                t.expires() == null ? "never" : (t.expiredAt(now) ? "expired " : "") + t.expires()});
        }
        return rows.size() == 1 ? null : Columns.of(rows);
    }

    private static String expiry(AccessToken t) {
        return t.expires() == null ? "never expires" : "expires " + t.expires();
    }

    /** {@code 30d}, {@code 12h}, {@code 90m}, {@code 2w}. */
    static Duration duration(ParsedArgs a, String text) {
        Matcher m = DURATION.matcher(text);
        if (!m.matches()) {
            throw a.usage("--expires takes a number and m, h, d or w (90m, 12h, 30d, 2w), not '"
                    + Printable.of(text) + "'");
        }
        long n = Long.parseLong(m.group(1));
        switch (m.group(2)) {
            case "m":
                return Duration.ofMinutes(n);
            case "h":
                return Duration.ofHours(n);
            case "d":
                return Duration.ofDays(n);
            default:
                return Duration.ofDays(7 * n);
        }
    }
}
