package vagoth.registry.postgres.internal;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Function;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

import vagoth.api.Names;
import vagoth.api.Node;
import vagoth.api.NodeNotFoundException;
import vagoth.api.registry.Registry;
import vagoth.api.registry.RegistryException;
import vagoth.api.registry.VagothRegistry;
import vagoth.api.monitor.PollLeases;
import vagoth.api.job.Transaction;
import vagoth.api.telemetry.Telemetry;
import vagoth.support.postgres.Database;
import vagoth.support.postgres.Listener;
import vagoth.support.registry.Mutation;
import vagoth.support.registry.Mutations;
import vagoth.support.registry.RegistryState;
import vagoth.support.registry.StateRegistry;

/**
 * The registry on PostgreSQL, shared by every daemon. Changes are written
 * in transactions that take the registry's write lock (an advisory lock),
 * first catch up with every change committed before them, check the
 * registry's rules ({@link Mutations}) against that current state, write the
 * nodes and one event per changed node, and commit; changes a process's
 * threads make at the same time share one transaction (group commit). Events
 * are numbered in commit order. Lookups are served from memory: never stale after a change this
 * process made, and at most a notification's delay behind another's (a
 * listener wakes on {@code NOTIFY} and catches up from the last event seen,
 * also after a reconnect). Uniqueness of ids, names and keys is also a
 * constraint of the database.
 */
@Component(service = Registry.class, configurationPid = PostgresRegistry.PID,
        configurationPolicy = ConfigurationPolicy.REQUIRE)
@VagothRegistry("postgres")
public final class PostgresRegistry extends StateRegistry implements PollLeases, AutoCloseable {
    static final String PID = Database.PID;
    static final String CHANNEL = "vagoth_events";
    /** Advisory lock every change holds until it commits. */
    private static final long WRITE_LOCK = 0x7661676f74680002L;
    /** The most changes written in one transaction. */
    private static final int MAX_BATCH = 256;
    /** How often work that lost its connection is tried (a new connection each time). */
    private static final int ATTEMPTS = 2;

    private final Database db;
    private final RegistryState state = new RegistryState();
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    /** The last event applied to {@link #state}; guarded by {@link #lock}. */
    private long seen;
    private final String host;
    private final long pid = ProcessHandle.current().pid();
    private final Listener listener;
    /** Changes waiting to be written, and whether a thread is writing them; guarded by itself. */
    private final ArrayDeque<Pending> queue = new ArrayDeque<>();
    private boolean leading;

    /** How long a poll lease lasts unless {@code poll.lease.s} says otherwise. */
    static final Duration DEFAULT_POLL_LEASE = Duration.ofSeconds(30);
    private final Duration pollLease;
    /** Who a change made outside any transaction is recorded as: the user this process runs as. */
    private static final String PROCESS_USER = System.getProperty("user.name", "unknown");
    /** Made when this process first polls; guarded by this. */
    private PollLeaseTable pollLeases;

    @Activate
    public PostgresRegistry(Map<String, Object> props, org.osgi.framework.BundleContext context) {
        this(Database.configured(props), Duration.ofSeconds(Database.number(props, "poll.lease.s",
                (int) DEFAULT_POLL_LEASE.toSeconds())), home(context));
    }

    private static java.nio.file.Path home(org.osgi.framework.BundleContext context) {
        String home = context.getProperty(vagoth.api.Installation.HOME_PROPERTY);
        return home == null || home.isBlank() ? null : java.nio.file.Path.of(home);
    }

    /** A registry on the database at {@code url}: for tests, tools and embedding. */
    public PostgresRegistry(String url, String user, String password) {
        this(url, user, password, DEFAULT_POLL_LEASE);
    }

    /** As above, with poll leases lasting {@code pollLease}. */
    public PostgresRegistry(String url, String user, String password, Duration pollLease) {
        this(new Database(url, user, password, 10, 8), pollLease, null);
    }

    /** As above, for the home {@code home}: a database other than the one it recorded is refused. */
    public PostgresRegistry(String url, String user, String password, java.nio.file.Path home) {
        this(new Database(url, user, password, 10, 8), DEFAULT_POLL_LEASE, home);
    }

    /** @param home the home whose record of its registry the database must match (null: none is kept) */
    private PostgresRegistry(Database db, Duration pollLease, java.nio.file.Path home) {
        this.db = db;
        this.pollLease = pollLease;
        this.host = hostName();
        Connection c = db.borrow();
        boolean broken = true;
        try {
            Schema.migrate(c);
            vagoth.support.postgres.DatabaseIdentity.check(db, home, "registry", "the registry");
            load(c);
            broken = false;
        } catch (SQLException e) {
            throw new RegistryException("Cannot open the registry in " + db.shownUrl() + ": " + e.getMessage(), e);
        } finally {
            db.release(c, broken);
        }
        this.listener = new Listener(db, CHANNEL, "registry", this::catchUp);
        listener.start();
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return ManagementFactory.getRuntimeMXBean().getName();
        }
    }

    /** Every node and the number of the last event, from one snapshot. */
    private void load(Connection c) throws SQLException {
        c.setAutoCommit(false);
        c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
        try (Statement s = c.createStatement()) {
            long last;
            try (ResultSet r = s.executeQuery("SELECT coalesce(max(seq), 0) FROM vagoth_events")) {
                r.next();
                last = r.getLong(1);
            }
            lock.writeLock().lock();
            try (ResultSet r = s.executeQuery("SELECT node FROM vagoth_nodes")) {
                while (r.next()) {
                    state.put(NodeJson.read(r.getString(1)));
                }
                seen = last;
            } finally {
                lock.writeLock().unlock();
            }
            c.commit();
        } finally {
            c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
            c.setAutoCommit(true);
        }
    }

    /** Applies every event committed since the last one seen. */
    public void catchUp() {
        withConnection(c -> {
            catchUp(c);
            return null;
        });
    }

    private void catchUp(Connection c) throws SQLException {
        long from;
        lock.readLock().lock();
        try {
            from = seen;
        } finally {
            lock.readLock().unlock();
        }
        try (PreparedStatement p = c.prepareStatement(
                "SELECT seq, op, node_id, node FROM vagoth_events WHERE seq > ? ORDER BY seq")) {
            p.setLong(1, from);
            try (ResultSet r = p.executeQuery()) {
                lock.writeLock().lock();
                try {
                    while (r.next()) {
                        long seq = r.getLong(1);
                        if (seq <= seen) {
                            continue;
                        }
                        switch (r.getString(2)) {
                            case "put" -> state.put(NodeJson.read(r.getString(4)));
                            case "delete" -> state.remove(r.getString(3));
                            default -> {
                                // blob changes are in the audit log only
                            }
                        }
                        seen = seq;
                    }
                } finally {
                    lock.writeLock().unlock();
                }
            }
        }
    }

    /**
     * Work on a pooled connection; SQL errors become registry errors naming
     * the database. Work that lost its connection is run once more on a new
     * one (a failover under way): a change only when it had not asked to
     * commit, so it cannot have been made.
     */
    private <T> T withConnection(Database.Work<T> work) {
        for (int attempt = 1;; attempt++) {
            try {
                return db.run("Registry database error", work);
            } catch (RegistryException e) {
                if (!Database.lost(e) || attempt >= ATTEMPTS) {
                    throw e;
                }
            }
        }
    }

    /**
     * One change, as one transaction under the registry's write lock: it
     * waits for other daemons' changes to commit and catches up with them
     * first. Reported done only once committed.
     */
    private <T> T write(Database.Work<T> work) {
        return write(work, null);
    }

    /**
     * As {@link #write(Database.Work)}; with {@code view} set, the work also changes
     * this process's view, and holds the view's lock from after the catch-up
     * until the transaction ends, so that readers, which wait meanwhile, never
     * see a change that is not committed: {@code view} is told how it ended.
     */
    private <T> T write(Database.Work<T> work, ViewChange view) {
        return withConnection(c -> {
            c.setAutoCommit(false);
            boolean committed = false;
            boolean locked = false;
            try {
                try (Statement s = c.createStatement()) {
                    s.execute("SELECT pg_advisory_xact_lock(" + WRITE_LOCK + ")");
                }
                catchUp(c); // other daemons' changes, before this process's readers are held up
                if (view != null) {
                    lock.writeLock().lock();
                    locked = true;
                }
                T result = work.run(c);
                try {
                    c.commit();
                } catch (SQLException e) {
                    if (Database.lost(e)) {
                        throw new RegistryException("Lost the registry database " + db.shownUrl() + " while committing:"
                                + " the change may or may not have been made (" + e.getMessage() + ")", e);
                    }
                    throw e;
                }
                committed = true;
                if (view != null) {
                    view.committed();
                }
                return result;
            } finally {
                if (!committed) {
                    quietly(c::rollback);
                    if (view != null && locked) {
                        view.abandoned();
                    }
                }
                if (locked) {
                    lock.writeLock().unlock();
                }
                quietly(() -> c.setAutoCommit(true));
            }
        });
    }

    /** How a change to the view learns whether its transaction committed (both under the view's lock). */
    private interface ViewChange {
        void committed();

        /** Put the view back as it was: the transaction did not commit (it may be tried again). */
        void abandoned();
    }

    @FunctionalInterface
    private interface SqlAction {
        void run() throws SQLException;
    }

    /** Cleanup on a connection that may be gone: its own failure is not the one to report. */
    private static void quietly(SqlAction a) {
        try {
            a.run();
        } catch (SQLException e) {
            // the connection is released as broken, or was fine and this did nothing
        }
    }

    /** A change waiting for the next batch. */
    private static final class Pending {
        final Mutation mutation;
        Node result;
        RuntimeException failure;
        boolean done;

        /** Who asked for it: the source and txid of the caller's transaction, for the audit log. */
        final String who;
        final String txid;

        Pending(Mutation mutation) {
            this.mutation = mutation;
            Transaction tx = Transaction.current().orElse(null);
            this.who = tx == null ? PROCESS_USER : tx.source();
            this.txid = tx == null ? null : tx.txid();
        }
    }

    /**
     * Writes {@code m} and returns once it is committed. Changes made at the
     * same time by this process's threads are written together, in the order
     * they came, in one transaction (group commit): one waits for the commit
     * it is part of, not for one commit per change.
     */
    @Override
    protected Node commit(Mutation m) {
        Pending p = new Pending(m);
        boolean interrupted = false;
        boolean lead = false;
        synchronized (queue) {
            queue.add(p);
            while (!p.done && leading) {
                try {
                    queue.wait();
                } catch (InterruptedException e) {
                    interrupted = true; // the change is queued: see it through, keep the flag
                }
            }
            if (!p.done) {
                leading = true;
                lead = true;
            }
        }
        try {
            while (lead && !p.done) {
                List<Pending> batch = new ArrayList<>();
                synchronized (queue) {
                    while (!queue.isEmpty() && batch.size() < MAX_BATCH) {
                        batch.add(queue.poll());
                    }
                }
                writeBatch(batch);
                synchronized (queue) {
                    queue.notifyAll();
                }
            }
        } finally {
            if (lead) {
                synchronized (queue) {
                    leading = false; // the next waiter leads
                    queue.notifyAll();
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        if (p.failure != null) {
            throw p.failure;
        }
        return p.result;
    }

    /**
     * One transaction for the batch, under the registry's write lock and then
     * this view's: each change is checked against the state as the changes
     * before it leave it; the net effect and one event per changed node are
     * written; the view changes with them and is put back unless the
     * transaction commits. Readers of the view wait for the commit, but not
     * for other daemons' changes this one waits for. Every change in the batch
     * is done (made, refused, or failed) when this returns.
     */
    private void writeBatch(List<Pending> batch) {
        List<Node> undoPuts = new ArrayList<>();
        List<String> undoRemoves = new ArrayList<>();
        List<Pending> made = new ArrayList<>();
        long[] last = new long[1];
        try {
            write(c -> {
                made.clear();
                last[0] = 0;
                writeBatch(c, batch, made, undoPuts, undoRemoves, last);
                return null;
            }, new ViewChange() {
                @Override
                public void committed() {
                    if (last[0] > 0) {
                        seen = last[0];
                    }
                }

                @Override
                public void abandoned() {
                    undo(undoPuts, undoRemoves); // a retry on a new connection starts from the view as it was
                }
            });
            made.forEach(q -> q.done = true);
        } catch (RuntimeException e) {
            for (Pending q : batch) {
                if (!q.done) {
                    q.result = null;
                    q.failure = e;
                    q.done = true;
                }
            }
        }
    }

    private void writeBatch(Connection c, List<Pending> batch, List<Pending> made, List<Node> undoPuts,
            List<String> undoRemoves, long[] last) throws SQLException {
        List<Object[]> events = new ArrayList<>();
        Map<String, Node> net = new LinkedHashMap<>();
        for (Pending q : batch) {
            if (q.done) {
                continue;
            }
            Mutation.Change ch;
            try {
                ch = q.mutation.prepare(state);
            } catch (RuntimeException refused) {
                q.failure = refused;
                q.done = true;
                continue;
            }
            for (String id : ch.deletes()) {
                remember(id, undoPuts, undoRemoves);
                state.remove(id);
                net.put(id, null);
                events.add(new Object[] {"delete", id, null, q.who, q.txid});
            }
            for (Node n : ch.puts()) {
                remember(n.id(), undoPuts, undoRemoves);
                state.put(n);
                net.put(n.id(), n);
                events.add(new Object[] {"put", n.id(), n, q.who, q.txid});
            }
            q.result = ch.result();
            made.add(q);
        }
        if (!events.isEmpty()) {
            last[0] = apply(c, net, events);
        }
    }

    /** Notes how to put node {@code id} back as it is now (first change to it in the batch only). */
    private void remember(String id, List<Node> undoPuts, List<String> undoRemoves) {
        if (undoRemoves.contains(id) || undoPuts.stream().anyMatch(n -> n.id().equals(id))) {
            return;
        }
        Node before = state.get(id);
        if (before == null) {
            undoRemoves.add(id);
        } else {
            undoPuts.add(before);
        }
    }

    private void undo(List<Node> undoPuts, List<String> undoRemoves) {
        undoRemoves.forEach(state::remove);
        undoPuts.forEach(state::put);
        undoRemoves.clear();
        undoPuts.clear();
    }

    /**
     * Writes the batch's net effect (each node as it ends, or gone) and its
     * events, in order, in one call of {@code vagoth_apply}; returns the last
     * event's number. Other daemons' listeners are woken at commit.
     */
    private long apply(Connection c, Map<String, Node> net, List<Object[]> events) throws SQLException {
        List<String> gone = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        List<String> nodes = new ArrayList<>();
        List<String> names = new ArrayList<>();
        List<String> nameOwners = new ArrayList<>();
        List<String> keys = new ArrayList<>();
        List<String> keyOwners = new ArrayList<>();
        net.forEach((id, n) -> {
            if (n == null) {
                gone.add(id);
                return;
            }
            ids.add(id);
            nodes.add(NodeJson.write(n));
            for (String name : new TreeSet<>(List.of(n.id(), n.name()))) {
                names.add(name);
                nameOwners.add(id);
            }
            for (String key : n.keys()) {
                keys.add(key);
                keyOwners.add(id);
            }
        });
        List<String> ops = new ArrayList<>();
        List<String> eventIds = new ArrayList<>();
        List<String> eventNodes = new ArrayList<>();
        List<String> whos = new ArrayList<>();
        List<String> txids = new ArrayList<>();
        for (Object[] e : events) {
            ops.add((String) e[0]);
            eventIds.add((String) e[1]);
            eventNodes.add(e[2] == null ? null : NodeJson.write((Node) e[2]));
            whos.add((String) e[3]);
            txids.add((String) e[4]);
        }
        try (PreparedStatement p = c.prepareStatement("SELECT vagoth_apply(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            int i = 1;
            for (List<String> array : List.of(gone, ids, nodes, names, nameOwners, keys, keyOwners)) {
                p.setArray(i++, c.createArrayOf("text", array.toArray()));
            }
            p.setString(i++, host);
            p.setLong(i++, pid);
            for (List<String> array : List.of(ops, eventIds, eventNodes, whos, txids)) {
                p.setArray(i++, c.createArrayOf("text", array.toArray()));
            }
            try (ResultSet r = p.executeQuery()) {
                r.next();
                return r.getLong(1);
            }
        }
    }

    /** Records a change in the event log; returns its number. */
    private long event(Connection c, String op, String nodeId, Node node) throws SQLException {
        Transaction tx = Transaction.current().orElse(null);
        try (PreparedStatement p = c.prepareStatement("INSERT INTO vagoth_events (host, pid, op, node_id, node, who,"
                + " txid) VALUES (?, ?, ?, ?, ?::jsonb, ?, ?) RETURNING seq")) {
            p.setString(1, host);
            p.setLong(2, pid);
            p.setString(3, op);
            p.setString(4, nodeId);
            p.setString(5, node == null ? null : NodeJson.write(node));
            p.setString(6, tx == null ? PROCESS_USER : tx.source());
            p.setString(7, tx == null ? null : tx.txid());
            try (ResultSet r = p.executeQuery()) {
                r.next();
                return r.getLong(1);
            }
        }
    }

    @Override
    protected <T> T read(Function<RegistryState, T> query) {
        lock.readLock().lock();
        try {
            return query.apply(state);
        } finally {
            lock.readLock().unlock();
        }
    }











    /** The node must exist now: checked in the database, which another daemon may have changed. */
    private static void requireNode(Connection c, String id) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("SELECT 1 FROM vagoth_nodes WHERE id = ?")) {
            p.setString(1, id);
            try (ResultSet r = p.executeQuery()) {
                if (!r.next()) {
                    throw new NodeNotFoundException(id);
                }
            }
        }
    }

    @Override
    public Optional<byte[]> getBlob(String id, String blobName) {
        Names.requireSafe("blob name", blobName);
        return withConnection(c -> {
            requireNode(c, id);
            try (PreparedStatement p = c.prepareStatement("SELECT data FROM vagoth_blobs WHERE node_id = ? AND name = ?")) {
                p.setString(1, id);
                p.setString(2, blobName);
                try (ResultSet r = p.executeQuery()) {
                    return r.next() ? Optional.of(r.getBytes(1)) : Optional.empty();
                }
            }
        });
    }

    @Override
    public void putBlob(String id, String blobName, byte[] data) {
        Names.requireSafe("blob name", blobName);
        write(c -> {
            requireNode(c, id);
            try (PreparedStatement p = c.prepareStatement("INSERT INTO vagoth_blobs (node_id, name, data) VALUES (?, ?, ?)"
                    + " ON CONFLICT (node_id, name) DO UPDATE SET data = EXCLUDED.data")) {
                p.setString(1, id);
                p.setString(2, blobName);
                p.setBytes(3, data);
                p.executeUpdate();
            }
            event(c, "blob", id, null);
            return null;
        });
    }

    @Override
    public boolean deleteBlob(String id, String blobName) {
        Names.requireSafe("blob name", blobName);
        return write(c -> {
            requireNode(c, id);
            try (PreparedStatement p = c.prepareStatement("DELETE FROM vagoth_blobs WHERE node_id = ? AND name = ?")) {
                p.setString(1, id);
                p.setString(2, blobName);
                boolean deleted = p.executeUpdate() > 0;
                if (deleted) {
                    event(c, "blob", id, null);
                }
                return deleted;
            }
        });
    }

    @Override
    public Set<String> listBlobs(String id) {
        return withConnection(c -> {
            requireNode(c, id);
            Set<String> names = new TreeSet<>();
            try (PreparedStatement p = c.prepareStatement("SELECT name FROM vagoth_blobs WHERE node_id = ?")) {
                p.setString(1, id);
                try (ResultSet r = p.executeQuery()) {
                    while (r.next()) {
                        names.add(r.getString(1));
                    }
                }
            }
            return names;
        });
    }

    private synchronized PollLeaseTable pollLeases() {
        if (pollLeases == null) {
            pollLeases = new PollLeaseTable(db, pid + "@" + host + "/" + Integer.toHexString(System.identityHashCode(this)),
                    pollLease);
        }
        return pollLeases;
    }

    @Override
    public Set<String> take(Collection<String> hypervisors) {
        return pollLeases().take(hypervisors);
    }

    @Override
    public boolean holds(String hypervisor) {
        return pollLeases().holds(hypervisor);
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    void bindTelemetry(Telemetry t) {
        measureWith(t);
    }

    void unbindTelemetry(Telemetry t) {
        stopMeasuring(t);
    }

    @Deactivate
    @Override
    public void close() {
        synchronized (this) {
            if (pollLeases != null) {
                pollLeases.close();
            }
        }
        listener.close();
        db.close();
    }
}
