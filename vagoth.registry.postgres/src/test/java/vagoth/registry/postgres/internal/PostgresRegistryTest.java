package vagoth.registry.postgres.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import vagoth.api.Node;
import vagoth.api.registry.RegistryException;
import vagoth.testing.PostgresServer;

/** What the PostgreSQL registry adds to the conformance suite: change delivery, the event log, schema, errors. */
@Tag("postgres") // a PostgreSQL server of its own: left out of the fast tier
@Timeout(120)
class PostgresRegistryTest {
    @RegisterExtension
    static final PostgresServer.PerClass PG = new PostgresServer.PerClass();

    private static PostgresServer server() {
        return PG.server();
    }

    private static String freshDatabase(String name) throws Exception {
        return server().database(name);
    }

    @Test
    void anEmptyOrOtherDatabaseWhereTheHomeUsedOneIsRefused(@org.junit.jupiter.api.io.TempDir java.nio.file.Path home)
            throws Exception {
        String url = freshDatabase("identity_a");
        try (PostgresRegistry r = new PostgresRegistry(url, server().user(), "", home)) {
            r.addNode(Node.of("web1", "web1", "vm"));
        }
        try (PostgresRegistry again = new PostgresRegistry(url, server().user(), "", home)) {
            assertEquals(1, again.size(), "its own database opens");
        }
        String empty = freshDatabase("identity_b"); // as if the URL now named a new, empty database
        vagoth.api.registry.RegistryException e = org.junit.jupiter.api.Assertions.assertThrows(
                vagoth.api.registry.RegistryException.class, () -> new PostgresRegistry(empty, server().user(), "", home));
        assertTrue(e.getMessage().startsWith("The registry at "), e.getMessage());
        assertTrue(e.getMessage().contains("is missing, but this home made one there"), e.getMessage());
        try (Connection c = DriverManager.getConnection(empty, server().user(), "");
                Statement st = c.createStatement();
                java.sql.ResultSet rs = st.executeQuery("SELECT count(*) FROM vagoth_identity")) {
            rs.next();
            assertEquals(0, rs.getInt(1), "the empty database was not taken as this home's");
        }
    }

    /**
     * A change made while this daemon's listener was cut off (its
     * notification lost) reaches it once the listener is back: the catch-up
     * reads the event log, not only notifications.
     */
    @Test
    void aChangeMadeWhileTheListenerWasCutOffIsCaughtUp() throws Exception {
        String url = freshDatabase("catchup");
        String name = url.substring(url.lastIndexOf('/') + 1);
        String admin = url.substring(0, url.lastIndexOf('/') + 1) + "postgres";
        try (PostgresRegistry a = new PostgresRegistry(url, server().user(), "");
                PostgresRegistry b = new PostgresRegistry(url, server().user(), "");
                Connection c = DriverManager.getConnection(admin, server().user(), "");
                Statement st = c.createStatement()) {
            a.addNode(Node.of("before", "before", "vm")); // a's pool holds a connection from now on
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (!b.contains("before") && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertTrue(b.contains("before"));
            try {
                st.execute("ALTER DATABASE " + name + " WITH ALLOW_CONNECTIONS false"); // no listener gets back in
                st.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + name
                        + "' AND application_name = 'vagoth listener'");
                a.addNode(Node.of("during", "during", "vm")); // its notification reaches no listener
            } finally {
                st.execute("ALTER DATABASE " + name + " WITH ALLOW_CONNECTIONS true");
            }
            while (!b.contains("during") && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertTrue(b.contains("during"), "the change made while b's listener was away never reached b");
        }
    }

    @Test
    void anotherDaemonsChangeReachesThisOneWithoutAsking() throws Exception {
        String url = freshDatabase("delivery");
        try (PostgresRegistry a = new PostgresRegistry(url, server().user(), "");
                PostgresRegistry b = new PostgresRegistry(url, server().user(), "")) {
            a.addNode(Node.of("vm1", "web", "vm"));
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (!b.contains("vm1") && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertTrue(b.contains("vm1"), "the notification never arrived");
            assertEquals("vm1", b.getNodeByName("web").id());
            a.deleteNode("vm1");
            while (b.contains("vm1") && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertFalse(b.contains("vm1"));
        }
    }

    @Test
    void everyChangeIsInTheEventLogInCommitOrder() throws Exception {
        String url = freshDatabase("audit");
        try (PostgresRegistry r = new PostgresRegistry(url, server().user(), "")) {
            r.addNode(Node.of("vm1", "vm1", "vm"));
            r.updateMetadata("vm1", Map.of("state", "running"), List.of());
            r.putBlob("vm1", "console", new byte[] {1, 2});
            r.deleteNode("vm1");
        }
        List<String> ops = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(url, server().user(), "");
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT op, node_id, host, pid FROM vagoth_events ORDER BY seq")) {
            while (rs.next()) {
                ops.add(rs.getString(1) + " " + rs.getString(2));
                assertFalse(rs.getString(3).isBlank());
                assertEquals(ProcessHandle.current().pid(), rs.getLong(4));
            }
        }
        assertEquals(List.of("put vm1", "put vm1", "blob vm1", "delete vm1"), ops);
    }

    @Test
    void aChangeWhoseConnectionWasCutBeforeItCommittedIsMadeOnANewOne() throws Exception {
        String url = freshDatabase("cut");
        try (PostgresRegistry r = new PostgresRegistry(url, server().user(), "")) {
            r.addNode(Node.of("before", "before", "vm")); // leaves a connection in the pool
            try (Connection c = DriverManager.getConnection(url, server().user(), "");
                    Statement s = c.createStatement()) {
                s.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid <> pg_backend_pid()"
                        + " AND datname = current_database() AND application_name = 'vagoth'");
            }
            r.addNode(Node.of("after", "after", "vm")); // the pooled connection is dead: made on a new one
            r.catchUp();
            assertTrue(r.contains("after"));
        }
        try (PostgresRegistry fresh = new PostgresRegistry(url, server().user(), "")) {
            assertEquals(2, fresh.size(), "made once, not twice");
        }
    }

    @Test
    void aChangeTheDatabaseRefusesLeavesNoTraceInTheView() throws Exception {
        String url = freshDatabase("refused");
        try (PostgresRegistry r = new PostgresRegistry(url, server().user(), "")) {
            try (Connection c = DriverManager.getConnection(url, server().user(), "");
                    Statement s = c.createStatement()) {
                s.execute("CREATE FUNCTION vagoth_test_refuse() RETURNS trigger LANGUAGE plpgsql AS"
                        + " $$ BEGIN RAISE EXCEPTION 'refused by the test'; END $$");
                s.execute("CREATE TRIGGER vagoth_test_refuse BEFORE INSERT ON vagoth_events FOR EACH ROW"
                        + " WHEN (NEW.node_id = 'poison') EXECUTE FUNCTION vagoth_test_refuse()");
            }
            RegistryException e = assertThrows(RegistryException.class, () -> r.addNode(Node.of("poison", "p", "vm")));
            assertTrue(e.getMessage().contains("refused by the test"), e.getMessage());
            assertFalse(r.contains("poison"), "the view shows a change that was never committed");
            assertFalse(r.findNodeByName("p").isPresent());
            r.addNode(Node.of("fine", "p", "vm")); // its name was never taken
            assertEquals(1, r.size());
        }
    }

    @Test
    void aDatabaseFromANewerVagothIsRefused() throws Exception {
        String url = freshDatabase("newer");
        new PostgresRegistry(url, server().user(), "").close();
        try (Connection c = DriverManager.getConnection(url, server().user(), "");
                Statement s = c.createStatement()) {
            s.execute("UPDATE vagoth_schema SET version = 99");
        }
        RegistryException e = assertThrows(RegistryException.class, () -> new PostgresRegistry(url, server().user(), ""));
        assertTrue(e.getMessage().contains("schema version 99, newer than this Vagoth knows"), e.getMessage());
    }

    @Test
    void anUnreachableDatabaseIsNamedWithoutItsPassword() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        String url = "jdbc:postgresql://127.0.0.1:" + closed + "/vagoth?password=secret";
        RegistryException e = assertThrows(RegistryException.class, () -> new PostgresRegistry(url, "vagoth", ""));
        assertTrue(e.getMessage().startsWith("Cannot reach the PostgreSQL database jdbc:postgresql://127.0.0.1:" + closed
                + "/vagoth?password=***"), e.getMessage());
        assertFalse(e.getMessage().contains("secret"));
    }

    @Test
    void badCredentialsAreSaidPlainly() throws Exception {
        String url = freshDatabase("creds");
        server().passwordRole("operator_role", "right");
        RegistryException wrong = assertThrows(RegistryException.class,
                () -> new PostgresRegistry(url, "operator_role", "wrong"));
        assertTrue(wrong.getMessage().startsWith("Cannot reach the PostgreSQL database " + url + ":"), wrong.getMessage());
        assertTrue(wrong.getMessage().contains("password authentication failed for user \"operator_role\""),
                wrong.getMessage());
        assertFalse(wrong.getMessage().contains("wrong"), "the password is never shown");
        RegistryException unknown = assertThrows(RegistryException.class, () -> new PostgresRegistry(url, "no_such_role",
                ""));
        assertTrue(unknown.getMessage().contains("no_such_role"), unknown.getMessage());
        try (Connection c = DriverManager.getConnection(url, server().user(), ""); Statement s = c.createStatement()) {
            s.execute("GRANT ALL ON SCHEMA public TO operator_role");
        }
        try (PostgresRegistry right = new PostgresRegistry(url, "operator_role", "right")) {
            right.addNode(Node.of("vm1", "vm1", "vm"));
        }
    }

    @Test
    void theAuditLogSaysWhoWhatWhenAndFromWhere() throws Exception {
        String url = freshDatabase("who");
        try (PostgresRegistry r = new PostgresRegistry(url, server().user(), "")) {
            vagoth.api.job.Transaction.within(new vagoth.api.job.Transaction("a1b2c3d4", "alice"), () -> {
                r.addNode(Node.of("vm1", "vm1", "vm"));
                r.putBlob("vm1", "cloud-init", new byte[] {1});
                return null;
            });
            r.addNode(Node.of("vm2", "vm2", "vm")); // outside any command: the process's user
            try (Connection c = DriverManager.getConnection(url, server().user(), "");
                    Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT op, node_id, who, txid, host, pid, at IS NOT NULL"
                            + " FROM vagoth_events ORDER BY seq")) {
                List<String> rows = new ArrayList<>();
                while (rs.next()) {
                    assertFalse(rs.getString(5).isBlank(), "the host");
                    assertEquals(ProcessHandle.current().pid(), rs.getLong(6), "the process");
                    assertTrue(rs.getBoolean(7), "when");
                    rows.add(rs.getString(1) + " " + rs.getString(2) + " " + rs.getString(3) + " " + rs.getString(4));
                }
                assertEquals(List.of("put vm1 alice a1b2c3d4", "blob vm1 alice a1b2c3d4",
                        "put vm2 " + System.getProperty("user.name") + " null"), rows);
            }
        }
    }
}
