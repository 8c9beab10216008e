package vagoth.registry.postgres.internal;

import java.sql.Array;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import vagoth.api.monitor.PollLeases;
import vagoth.support.postgres.Database;

/**
 * Poll leases in the registry's database. Every daemon that polls is a
 * member ({@code vagoth_pollers}, a heartbeat renewed every quarter of a
 * lease); each hypervisor belongs to the live member that ranks highest for it
 * (rendezvous hashing, so a member joining or leaving moves only its share),
 * and is polled under a lease in {@code vagoth_poll_leases} that its holder
 * renews. A dead daemon's heartbeat and leases expire; the others then count
 * it out and take its hypervisors. A lease is taken only when free, expired
 * or already this member's, so two daemons never hold one at once.
 */
final class PollLeaseTable implements PollLeases, AutoCloseable {
    private final Database db;
    private final String owner;
    private final Duration lease;
    private final vagoth.support.postgres.LeaseKeeper keeper;
    /** The hypervisors whose lease this member holds, and when that was last confirmed; guarded by this. */
    private Set<String> held = Set.of();
    private long heldAt;
    /** The live members when last read; guarded by this. */
    private List<String> members = List.of();
    private volatile long quietUntil = System.nanoTime();
    private static final System.Logger LOG = System.getLogger(PollLeaseTable.class.getName());

    PollLeaseTable(Database db, String owner, Duration lease) {
        this.db = db;
        this.owner = owner;
        this.lease = lease;
        this.heldAt = System.nanoTime();
        beat();
        // a failed round said what failed already (sql): nothing more to say
        this.keeper = new vagoth.support.postgres.LeaseKeeper("vagoth-poll-leases", lease, this::keep, e -> { });
        keeper.start();
    }

    @Override
    public synchronized Set<String> take(Collection<String> hypervisors) {
        beat();
        List<String> mine = new ArrayList<>();
        for (String hv : hypervisors) {
            if (owner.equals(preferred(hv))) {
                mine.add(hv);
            }
        }
        long at = System.nanoTime();
        Set<String> now = new HashSet<>(held);
        now.retainAll(hypervisors);
        Set<String> got = sql(c -> {
            Array ids = c.createArrayOf("text", mine.toArray());
            // hand over what is no longer this member's share
            try (PreparedStatement p = c.prepareStatement("UPDATE vagoth_poll_leases SET lease_until = now()"
                    + " WHERE owner = ? AND NOT (hv = ANY (?))")) {
                p.setString(1, owner);
                p.setArray(2, ids);
                p.executeUpdate();
            }
            try (PreparedStatement p = c.prepareStatement("INSERT INTO vagoth_poll_leases (hv, owner, epoch, lease_until)"
                    + " SELECT unnest(?::text[]), ?, 1, now() + ? * interval '1 millisecond'"
                    + " ON CONFLICT (hv) DO UPDATE SET owner = excluded.owner, lease_until = excluded.lease_until,"
                    + " epoch = vagoth_poll_leases.epoch + (vagoth_poll_leases.owner <> excluded.owner)::int"
                    + " WHERE vagoth_poll_leases.owner = excluded.owner OR vagoth_poll_leases.lease_until < now()"
                    + " RETURNING hv")) {
                p.setArray(1, ids);
                p.setString(2, owner);
                p.setLong(3, lease.toMillis());
                return strings(p);
            }
        });
        if (got == null) {
            return Set.of(); // the database is away: poll nothing rather than alongside another daemon
        }
        held = Set.copyOf(got);
        heldAt = at;
        return held;
    }

    @Override
    public synchronized boolean holds(String hypervisor) {
        return held.contains(hypervisor) && System.nanoTime() - heldAt < lease.toNanos() / 2;
    }

    /** The live member that ranks highest for {@code hv}; this member when none is known. */
    private String preferred(String hv) {
        String best = owner;
        long bestRank = Long.MIN_VALUE;
        for (String m : members) {
            long rank = mix((m + "\u0000" + hv).hashCode() * 0x9E3779B97F4A7C15L + m.length());
            if (rank > bestRank || rank == bestRank && m.compareTo(best) < 0) {
                best = m;
                bestRank = rank;
            }
        }
        return best;
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Renews this member's heartbeat and reads the live members. */
    private synchronized void beat() {
        List<String> live = sql(c -> {
            try (PreparedStatement p = c.prepareStatement("INSERT INTO vagoth_pollers (owner, alive_until)"
                    + " VALUES (?, now() + ? * interval '1 millisecond') ON CONFLICT (owner)"
                    + " DO UPDATE SET alive_until = excluded.alive_until")) {
                p.setString(1, owner);
                p.setLong(2, lease.toMillis());
                p.executeUpdate();
            }
            try (PreparedStatement p = c.prepareStatement("SELECT owner FROM vagoth_pollers WHERE alive_until > now()"
                    + " ORDER BY owner")) {
                return List.copyOf(strings(p));
            }
        });
        if (live != null) {
            members = live;
        }
    }

    /** Every quarter of a lease: the heartbeat, and the leases held renewed (those another took are dropped). */
    private synchronized void keep() {
        beat();
        long at = System.nanoTime();
        Set<String> mine = held;
        Set<String> kept = sql(c -> {
            try (PreparedStatement p = c.prepareStatement("UPDATE vagoth_poll_leases SET lease_until = now()"
                    + " + ? * interval '1 millisecond' WHERE owner = ? AND hv = ANY (?) AND lease_until > now()"
                    + " RETURNING hv")) {
                p.setLong(1, lease.toMillis());
                p.setString(2, owner);
                p.setArray(3, c.createArrayOf("text", mine.toArray()));
                return strings(p);
            }
        });
        if (kept != null) {
            held = Set.copyOf(kept);
            heldAt = at;
        }
    }

    private static Set<String> strings(PreparedStatement p) throws SQLException {
        Set<String> out = new java.util.LinkedHashSet<>();
        try (ResultSet r = p.executeQuery()) {
            while (r.next()) {
                out.add(r.getString(1));
            }
        }
        return out;
    }

    /** The work's result, or null when the database could not be reached (the caller acts as if it held nothing). */
    private <T> T sql(Database.Work<T> work) {
        try {
            return db.run("Poll leases", work);
        } catch (RuntimeException e) {
            if (System.nanoTime() - quietUntil > 0) {
                LOG.log(System.Logger.Level.WARNING, "Poll leases in " + db.shownUrl() + ": " + e.getMessage()
                        + "; polling nothing until they can be renewed");
                quietUntil = System.nanoTime() + java.util.concurrent.TimeUnit.MINUTES.toNanos(1);
            }
            return null;
        }
    }

    @Override
    public void close() {
        keeper.close();
        sql(c -> {
            try (PreparedStatement p = c.prepareStatement("DELETE FROM vagoth_pollers WHERE owner = ?")) {
                p.setString(1, owner);
                p.executeUpdate();
            }
            try (PreparedStatement p = c.prepareStatement("UPDATE vagoth_poll_leases SET lease_until = now()"
                    + " WHERE owner = ?")) {
                p.setString(1, owner);
                p.executeUpdate();
            }
            return null;
        });
    }
}
