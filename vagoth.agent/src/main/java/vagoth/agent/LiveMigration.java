package vagoth.agent;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;

/**
 * A QEMU guest's live migration, the host's half of it (DESIGN section 10):
 * {@link #prepare} at the destination, {@link #send} at the source,
 * {@link #finish} at the destination, {@link #abort} at either end. Every
 * failure leaves the guest running at the source: {@code send} cancels what
 * it started and resumes the source before it answers a failure, and an
 * aborted destination is ended and its files removed.
 */
final class LiveMigration {
    private static final String MIRROR_JOB = "vagoth-mirror";
    private static final String EXPORT = "disk0";
    private static final long POLL_MS = 100;
    private final QemuBackend qemu;

    LiveMigration(QemuBackend qemu) {
        this.qemu = qemu;
    }

    /** What a destination made ready: the address the source migrates to, and where it mirrors the disk. */
    record Prepared(String uri, String nbd) {
    }

    /**
     * Starts {@code name} here, waiting for its memory on {@code address} (a free port), with the source's
     * definition (its virtual hardware pinned there); with {@code copyDisk}, an empty disk of the source's size
     * exported over NBD for the source to mirror into, and the guest kept paused until {@link #finish}.
     */
    Prepared prepare(String name, Map<String, String> definition, String address, boolean copy)
            throws AgentException {
        boolean copyDisk = copy;
        Path dir = qemu.dir(name);
        if (Files.isRegularFile(dir.resolve(QemuBackend.DEFINITION)) || Files.isRegularFile(dir.resolve(
                QemuBackend.INCOMING))) {
            throw new AgentException("exists", "VM " + name + " is defined here already: it cannot migrate here");
        }
        if (!address.matches("[A-Za-z0-9.:\\[\\]-]{1,255}")) {
            throw new AgentException("bad_argument", "'" + address + "' is not a migration address");
        }
        String machine = definition.get("machine");
        String cpu = definition.get("cpu_model");
        if (machine == null || cpu == null) {
            throw new AgentException("bad_definition", "the definition of " + name + " pins no machine type or CPU"
                    + " model: define it on its source again first");
        }
        Map<String, String> def = new TreeMap<>(definition);
        String bytes = def.get("disk_bytes");
        if (bytes == null) {
            copyDisk = false; // a guest of kernel and initrd alone: no disk to share or copy
        } else if (!bytes.matches("[0-9]{1,19}")) {
            throw new AgentException("bad_definition", "the definition of " + name + " gives no disk size"
                    + " (disk_bytes=" + bytes + ")");
        } else if (copyDisk && Files.exists(qemu.disk(name))) {
            throw new AgentException("exists", "a disk of " + name + " is here already (" + qemu.disk(name)
                    + "): the copy would overwrite it");
        } else if (!copyDisk && !qemu.sharesDisks()) {
            throw new AgentException("no_shared_disk", "this host keeps each disk in its VM's directory (no --disks):"
                    + " it shares no storage, so " + name + "'s disk must be copied");
        } else if (!copyDisk && !Files.exists(qemu.disk(name))) {
            throw new AgentException("no_shared_disk", "the disk of " + name + " is not here (" + qemu.disk(name)
                    + "): this host does not share the source's storage");
        }
        boolean dirMade = !Files.isDirectory(dir);
        boolean ownDisk = false;
        try {
            Files.createDirectories(dir);
            if (copyDisk) {
                QemuBackend.tool(java.util.List.of("qemu-img", "create", "-f", "qcow2", qemu.disk(name).toString(),
                        bytes), "making the disk that " + name + "'s is copied into");
                ownDisk = true;
            }
            int port = freePort(address);
            int nbdPort = copyDisk ? freePort(address) : 0;
            Map<String, Object> incoming = new LinkedHashMap<>();
            incoming.put("disk_owned", ownDisk);
            incoming.put("dir_made", dirMade);
            incoming.put("since", java.time.Instant.now().toString());
            QemuBackend.save(dir.resolve(QemuBackend.INCOMING), incoming);
            QemuBackend.save(dir.resolve(QemuBackend.DEFINITION), def);
            qemu.writeSeed(name, def); // the same devices as at the source, or the guest's state would not load
            String uri = "tcp:" + host(address) + ":" + port;
            qemu.launch(name, def, uri, copyDisk);
            String nbd = null;
            if (copyDisk) {
                try (Qmp q = qemu.qmp(name)) {
                    JsonObject addr = new JsonObject();
                    addr.addProperty("type", "inet");
                    JsonObject data = new JsonObject();
                    data.addProperty("host", address);
                    data.addProperty("port", String.valueOf(nbdPort));
                    addr.add("data", data);
                    JsonObject start = new JsonObject();
                    start.add("addr", addr);
                    q.execute("nbd-server-start", start);
                    JsonObject export = new JsonObject();
                    export.addProperty("type", "nbd");
                    export.addProperty("id", EXPORT);
                    export.addProperty("node-name", "disk0");
                    export.addProperty("name", EXPORT);
                    export.addProperty("writable", true);
                    q.execute("block-export-add", export);
                }
                nbd = "nbd:" + host(address) + ":" + nbdPort + ":exportname=" + EXPORT;
            }
            return new Prepared(uri, nbd);
        } catch (AgentException | IOException | RuntimeException e) {
            cleanUp(name, ownDisk, dirMade);
            if (e instanceof AgentException a) {
                throw a;
            }
            throw new AgentException("io_error", "cannot prepare " + name + " to come here: " + e.getMessage());
        }
    }

    /** An IPv6 address in brackets, as QEMU's URIs want it. */
    private static String host(String address) {
        return address.contains(":") && !address.startsWith("[") ? "[" + address + "]" : address;
    }

    private static int freePort(String address) throws IOException {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress(address.replace("[", "").replace("]", ""), 0));
            return s.getLocalPort();
        }
    }

    /** The migration's parameters, from the daemon's configuration. */
    record Limits(long downtimeMs, long bandwidthMiBs, Duration timeout) {
    }

    /**
     * Sends {@code name}'s disk (to {@code nbd}, when given) and memory to the destination at {@code uri}, telling
     * its progress as it goes; answers the measured total time and downtime once QEMU says {@code completed}. The
     * source is then paused (QEMU's {@code postmigrate}): it is ended by a stop once the destination runs. On any
     * failure, the timeout or a cancel (a {@link #abort} of the source meanwhile), the migration and the mirror are
     * cancelled and the source runs on.
     */
    Map<String, Object> send(String name, String uri, String nbd, Limits limits, Consumer<Map<String, Object>> progress)
            throws AgentException {
        if (qemu.alive(name) == null) {
            throw new AgentException("vm_stopped", "VM " + name + " is not running here: there is nothing to migrate"
                    + " live");
        }
        if (!uri.matches("tcp:[A-Za-z0-9.:\\[\\]-]{1,255}") || (nbd != null && !nbd.matches(
                "nbd:[A-Za-z0-9.:\\[\\]-]{1,255}:exportname=" + EXPORT))) {
            throw new AgentException("bad_argument", "not a migration address: " + uri + (nbd == null ? "" : ", " + nbd));
        }
        long deadline = System.nanoTime() + limits.timeout().toNanos();
        long started = System.nanoTime();
        try (Qmp q = qemu.jobQmp(name, Duration.ofSeconds(30))) {
            try {
                long diskBytes = 0;
                long diskNs = 0;
                if (nbd != null) {
                    diskBytes = mirror(q, nbd, deadline, progress);
                    diskNs = System.nanoTime() - started;
                }
                JsonObject params = new JsonObject();
                params.addProperty("downtime-limit", limits.downtimeMs());
                params.addProperty("max-bandwidth", limits.bandwidthMiBs() << 20);
                q.execute("migrate-set-parameters", params);
                JsonObject m = new JsonObject();
                m.addProperty("uri", uri);
                q.execute("migrate", m);
                JsonObject done = await(q, deadline, progress);
                if (nbd != null) {
                    completeMirror(q, deadline);
                }
                Map<String, Object> out = new LinkedHashMap<>();
                out.put("status", "completed");
                out.put("total_ms", (System.nanoTime() - started) / 1_000_000);
                out.put("migration_ms", done.has("total-time") ? done.get("total-time").getAsLong() : -1);
                out.put("downtime_ms", done.has("downtime") ? done.get("downtime").getAsLong() : -1);
                out.put("ram_transferred", done.has("ram") ? done.getAsJsonObject("ram").get("transferred")
                        .getAsLong() : 0);
                out.put("disk_copied", diskBytes);
                out.put("disk_ms", diskNs / 1_000_000);
                return out;
            } catch (AgentException e) {
                resumeSource(name);
                throw e;
            }
        }
    }

    /** Mirrors the disk into the destination's export until the mirror is ready (in step with the guest's writes). */
    private static long mirror(Qmp q, String nbd, long deadline, Consumer<Map<String, Object>> progress)
            throws AgentException {
        JsonObject args = new JsonObject();
        args.addProperty("job-id", MIRROR_JOB);
        args.addProperty("device", "disk0");
        args.addProperty("target", nbd);
        args.addProperty("format", "raw");
        args.addProperty("sync", "full");
        args.addProperty("mode", "existing");
        q.execute("drive-mirror", args);
        while (true) {
            JsonObject job = mirrorJob(q);
            if (job == null) {
                throw new AgentException("mirror_failed", "the disk's mirror to the destination ended before it was"
                        + " ready" + eventError(q));
            }
            long len = job.get("len").getAsLong();
            long off = job.get("offset").getAsLong();
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("phase", "disk");
            p.put("transferred", off);
            p.put("remaining", Math.max(0, len - off));
            p.put("total", len);
            progress.accept(p);
            if (job.has("ready") && job.get("ready").getAsBoolean()) {
                return len;
            }
            if (System.nanoTime() > deadline) {
                throw new AgentException("timeout", "the disk's mirror was not ready before the migration's timeout");
            }
            QemuBackend.sleep(POLL_MS);
        }
    }

    private static JsonObject mirrorJob(Qmp q) throws AgentException {
        for (JsonElement e : q.execute("query-block-jobs", null).getAsJsonArray()) {
            JsonObject j = e.getAsJsonObject();
            if (MIRROR_JOB.equals(j.get("device").getAsString())) {
                return j;
            }
        }
        return null;
    }

    private static String eventError(Qmp q) {
        for (JsonObject ev : q.events()) {
            JsonObject data = ev.has("data") ? ev.getAsJsonObject("data") : null;
            if (data != null && data.has("error")) {
                return ": " + data.get("error").getAsString();
            }
        }
        return "";
    }

    /** Polls {@code query-migrate} until {@code completed}; anything else that ends it is a failure. */
    private static JsonObject await(Qmp q, long deadline, Consumer<Map<String, Object>> progress)
            throws AgentException {
        while (true) {
            JsonObject s = q.query("query-migrate");
            String status = s.has("status") ? s.get("status").getAsString() : "none";
            switch (status) {
                case "completed":
                    Map<String, Object> last = new LinkedHashMap<>();
                    last.put("phase", "memory");
                    last.put("transferred", s.has("ram") ? s.getAsJsonObject("ram").get("transferred").getAsLong() : 0);
                    last.put("remaining", 0);
                    progress.accept(last);
                    return s;
                case "failed", "cancelled", "none":
                    throw new AgentException(status.equals("cancelled") ? "cancelled" : "migration_failed",
                            "the migration " + (status.equals("cancelled") ? "was cancelled" : "failed")
                                    + (s.has("error-desc") ? ": " + s.get("error-desc").getAsString() : ""));
                default:
                    break;
            }
            if (s.has("ram")) {
                JsonObject ram = s.getAsJsonObject("ram");
                Map<String, Object> p = new LinkedHashMap<>();
                p.put("phase", "memory");
                p.put("transferred", ram.get("transferred").getAsLong());
                p.put("remaining", ram.get("remaining").getAsLong());
                p.put("total", ram.get("total").getAsLong());
                if (ram.has("mbps")) {
                    p.put("mbps", ram.get("mbps").getAsDouble());
                }
                if (s.has("expected-downtime")) {
                    p.put("expected_downtime_ms", s.get("expected-downtime").getAsLong());
                }
                progress.accept(p);
            }
            if (System.nanoTime() > deadline) {
                throw new AgentException("timeout", "the migration did not complete within its timeout (status "
                        + status + ")");
            }
            QemuBackend.sleep(POLL_MS);
        }
    }

    /**
     * Ends the ready mirror without a pivot: QEMU copies what is still dirty and leaves the source on its own disk,
     * the destination's copy whole.
     */
    private static void completeMirror(Qmp q, long deadline) throws AgentException {
        JsonObject args = new JsonObject();
        args.addProperty("device", MIRROR_JOB);
        q.execute("block-job-cancel", args);
        while (mirrorJob(q) != null) {
            if (System.nanoTime() > deadline) {
                throw new AgentException("timeout", "the disk's mirror did not end before the migration's timeout");
            }
            QemuBackend.sleep(20);
        }
    }

    /** The guest running at the destination: resumed if it waited (a copied disk), the disk's export closed. */
    Map<String, Object> finish(String name) throws AgentException {
        Path dir = qemu.dir(name);
        if (!Files.isRegularFile(dir.resolve(QemuBackend.INCOMING))) {
            throw new AgentException("not_incoming", "VM " + name + " is not a migration arriving here");
        }
        if (qemu.alive(name) == null) {
            throw new AgentException("vm_stopped", "the arriving " + name + " is not running here (QEMU ended; its"
                    + " log: " + QemuBackend.lastLines(dir.resolve(QemuBackend.QEMU_LOG), 2) + ")");
        }
        long started = System.nanoTime();
        try (Qmp q = qemu.qmp(name)) {
            String status = q.query("query-status").get("status").getAsString();
            if (status.equals("inmigrate")) {
                throw new AgentException("not_arrived", "the migration of " + name + " has not completed here");
            }
            try {
                q.execute("nbd-server-stop", null);
            } catch (AgentException e) {
                // no export: the disk was shared
            }
            if (!status.equals("running")) {
                q.execute("cont", null);
            }
        }
        try {
            Files.delete(dir.resolve(QemuBackend.INCOMING));
        } catch (IOException e) {
            throw new AgentException("io_error", "cannot remove " + dir.resolve(QemuBackend.INCOMING) + ": "
                    + e.getMessage());
        }
        return Map.of("resume_ms", (System.nanoTime() - started) / 1_000_000);
    }

    /**
     * At the source: the migration and the mirror cancelled, the guest running again (it may have been paused for
     * the last round). At the destination: QEMU ended and what {@link #prepare} made removed (the definition, and a
     * disk it made; never a shared disk).
     */
    void abort(String name, boolean source) throws AgentException {
        if (source) {
            if (qemu.alive(name) == null) {
                throw new AgentException("vm_stopped", "VM " + name + " is not running here: nothing to resume");
            }
            resumeSource(name);
            return;
        }
        Path dir = qemu.dir(name);
        Path incoming = dir.resolve(QemuBackend.INCOMING);
        if (!Files.isRegularFile(incoming)) {
            throw new AgentException("not_incoming", "VM " + name + " is not a migration arriving here: it is not"
                    + " removed");
        }
        Map<String, Object> made = QemuBackend.loadObject(incoming);
        cleanUp(name, Boolean.TRUE.equals(made.get("disk_owned")), Boolean.TRUE.equals(made.get("dir_made")));
    }

    /**
     * Cancels the migration under way at the source, and nothing more: QEMU resumes the guest there itself. One
     * that completed already is left as it is (the guest may run at the destination: resuming it here would run it
     * twice).
     */
    void cancel(String name) throws AgentException {
        if (qemu.alive(name) == null) {
            throw new AgentException("vm_stopped", "VM " + name + " is not running here: nothing to cancel");
        }
        try (Qmp q = qemu.qmp(name)) {
            JsonObject s = q.query("query-migrate");
            String status = s.has("status") ? s.get("status").getAsString() : "none";
            if (status.equals("completed")) {
                throw new AgentException("completed", "the migration of " + name + " has completed: too late to"
                        + " cancel");
            }
            q.execute("migrate_cancel", null);
            JsonObject mirror = new JsonObject();
            mirror.addProperty("device", MIRROR_JOB);
            mirror.addProperty("force", true);
            try {
                q.execute("block-job-cancel", mirror);
            } catch (AgentException e) {
                // no mirror
            }
        }
    }

    /** Cancels whatever the source was sending and makes sure its guest runs. */
    private void resumeSource(String name) throws AgentException {
        try (Qmp q = qemu.qmp(name)) {
            try {
                q.execute("migrate_cancel", null);
            } catch (AgentException e) {
                // nothing to cancel
            }
            JsonObject cancel = new JsonObject();
            cancel.addProperty("device", MIRROR_JOB);
            cancel.addProperty("force", true);
            try {
                q.execute("block-job-cancel", cancel);
            } catch (AgentException e) {
                // no mirror
            }
            for (int i = 0; i < 100; i++) {
                String status = q.query("query-migrate").has("status")
                        ? q.query("query-migrate").get("status").getAsString() : "none";
                if (!status.equals("cancelling") && !status.equals("active") && !status.equals("device")) {
                    break;
                }
                QemuBackend.sleep(50);
            }
            String status = q.query("query-status").get("status").getAsString();
            if (!status.equals("running")) {
                q.execute("cont", null);
            }
        }
    }

    /** Removes what {@link #prepare} made: the definition first (so the rest is never taken for a VM), then the rest. */
    private void cleanUp(String name, boolean ownDisk, boolean dirMade) {
        try {
            qemu.quit(name, "its migration here was aborted");
        } catch (AgentException e) {
            // removed below all the same; a QEMU that would not end is said by the next status
        }
        Path dir = qemu.dir(name);
        try {
            Files.deleteIfExists(dir.resolve(QemuBackend.DEFINITION));
            if (ownDisk) {
                Files.deleteIfExists(qemu.disk(name));
            }
            if (dirMade) {
                Trees.delete(dir);
            } else {
                for (String f : java.util.List.of(QemuBackend.INCOMING, QemuBackend.PID, QemuBackend.QMP,
                        QemuBackend.QMP_JOB, QemuBackend.SERIAL, QemuBackend.STOPPED)) {
                    Files.deleteIfExists(dir.resolve(f));
                }
            }
        } catch (IOException e) {
            // what is left is not defined here (no definition): the next prepare refuses only a defined VM
        }
    }
}
