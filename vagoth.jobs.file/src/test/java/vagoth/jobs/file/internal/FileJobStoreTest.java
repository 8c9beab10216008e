package vagoth.jobs.file.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import vagoth.api.registry.RegistryCorruptException;
import vagoth.api.VagothException;
import vagoth.api.job.Job;
import vagoth.api.job.JobStore;
import vagoth.api.job.JobNotFoundException;
import vagoth.api.job.JobQuery;
import vagoth.api.job.JobState;
import vagoth.api.job.Transaction;
import vagoth.support.faults.FaultInjectingFileIo;

@Timeout(120)
class FileJobStoreTest {
    @TempDir
    Path dir;
    private static final Transaction TX = new Transaction("6e2bc0fb", "myuser");

    private FileJobStore open() {
        return new FileJobStore(dir, 10, Duration.ofDays(7), 1000, Clock.systemUTC());
    }

    @Test
    void aJobGoesFromQueuedToDoneOrFailed() {
        try (FileJobStore s = open()) {
            Job j = s.create("devnode1", "start", Map.of("node", "devnode1"), TX);
            assertEquals(JobState.QUEUED, j.state());
            assertEquals("6e2bc0fb", j.txid());
            assertEquals("myuser", j.source());
            assertTrue(j.id().matches("[0-9a-f]{8}"));
            assertEquals(JobState.RUNNING, s.start(j.id()).orElseThrow().state());
            assertTrue(s.start(j.id()).isEmpty(), "a job is claimed once");
            Job done = s.finish(j.id(), null);
            assertEquals(JobState.DONE, done.state());
            assertTrue(done.finished() != null && done.started() != null);
            Job k = s.create("devnode1", "stop", Map.of("node", "devnode1"), TX);
            s.start(k.id());
            assertEquals("the hypervisor said no", s.finish(k.id(), "the hypervisor said no").error());
            assertEquals(JobState.FAILED, s.get(k.id()).orElseThrow().state());
        }
    }

    @Test
    void jobsAreListedRecentFirstAndFiltered() {
        try (FileJobStore s = open()) {
            Job a = s.create("vm1", "start", Map.of("node", "vm1"), TX);
            Job b = s.create("vm2", "start", Map.of("node", "vm2"), new Transaction("00000001", "monitor"));
            Job c = s.create("vm1", "stop", Map.of("node", "vm1"), TX);
            s.start(c.id());
            assertEquals(List.of(c, b, a).stream().map(Job::id).toList(),
                    s.list(JobQuery.recent(10)).stream().map(Job::id).toList());
            assertEquals(List.of(c.id(), a.id()), ids(s.list(new JobQuery(null, "vm1", null, 10))));
            assertEquals(List.of(b.id()), ids(s.list(new JobQuery(null, null, "00000001", 10))));
            assertEquals(List.of(c.id()), ids(s.list(new JobQuery(JobState.RUNNING, null, null, 10))));
            assertEquals(List.of(c.id()), ids(s.list(JobQuery.recent(1))));
            assertEquals(List.of(a.id(), b.id()), ids(s.queued()));
        }
    }

    private static List<String> ids(List<Job> jobs) {
        return jobs.stream().map(Job::id).toList();
    }

    @Test
    void onlyAQueuedJobCanBeCancelled() {
        try (FileJobStore s = open()) {
            Job a = s.create("vm1", "start", Map.of(), TX);
            assertEquals(JobState.CANCELLED, s.cancel(a.id()).state());
            assertTrue(s.start(a.id()).isEmpty(), "a cancelled job never runs");
            Job b = s.create("vm1", "start", Map.of(), TX);
            s.start(b.id());
            assertThrows(VagothException.class, () -> s.cancel(b.id()));
            assertThrows(JobNotFoundException.class, () -> s.cancel("nosuch"));
        }
    }

    @Test
    void queuedJobsSurviveARestartInOrderAndRunningOnesAreInterrupted() {
        String queued1;
        String queued2;
        String running;
        try (FileJobStore s = open()) {
            running = s.create("vm1", "start", Map.of(), TX).id();
            s.start(running);
            queued1 = s.create("vm1", "stop", Map.of(), TX).id();
            queued2 = s.create("vm2", "start", Map.of(), TX).id();
        }
        try (FileJobStore s = open()) {
            assertEquals(List.of(queued1, queued2), ids(s.queued()));
            Job r = s.get(running).orElseThrow();
            assertEquals(JobState.INTERRUPTED, r.state());
            assertTrue(r.error().contains("stopped; whether it did its work is unknown; 'vagoth job retry " + running
                    + "' runs it again"), r.error());
            assertTrue(s.start(running).isEmpty(), "an interrupted job is not run again by itself");
        }
    }

    @Test
    void anotherOpenStoreSeesChangesOnceFlushed() {
        try (FileJobStore a = open(); FileJobStore b = open()) {
            Job j = a.create("vm1", "start", Map.of(), TX);
            a.flush();
            assertEquals(JobState.QUEUED, b.get(j.id()).orElseThrow().state());
            b.cancel(j.id());
            b.flush();
            assertEquals(JobState.CANCELLED, a.get(j.id()).orElseThrow().state());
            assertTrue(a.start(j.id()).isEmpty());
        }
    }

    @Test
    void finishedJobsArePrunedAfterTheirRetention() throws Exception {
        Instant[] now = {Instant.parse("2026-01-01T00:00:00Z")};
        Clock clock = new Clock() {
            @Override
            public ZoneOffset getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return now[0];
            }
        };
        try (FileJobStore s = new FileJobStore(dir, 10, Duration.ofHours(1), 1000, clock)) {
            Job old = s.create("vm1", "start", Map.of("pad", "x".repeat(4000)), TX);
            s.start(old.id());
            s.finish(old.id(), null);
            Job keep = s.create("vm1", "stop", Map.of(), TX);
            now[0] = now[0].plus(Duration.ofHours(2));
            // grow the log past the compaction threshold
            for (int i = 0; i < 1200; i++) {
                Job j = s.create("q" + i, "noop", Map.of("pad", "x".repeat(4000)), TX);
                s.cancel(j.id());
            }
            s.flush();
            assertTrue(s.get(old.id()).isEmpty(), "a job finished two hours ago is pruned with a one hour retention");
            assertEquals(JobState.QUEUED, s.get(keep.id()).orElseThrow().state(), "queued jobs are never pruned");
        }
    }

    @Test
    void aDamagedLogIsReported() throws Exception {
        try (FileJobStore s = open()) {
            s.create("vm1", "start", Map.of(), TX);
        }
        Path log = dir.resolve(FileJobStore.LOG);
        Files.writeString(log, Files.readString(log).replace("vm1", "vm9"));
        RegistryCorruptException e = assertThrows(RegistryCorruptException.class, this::open);
        assertTrue(e.getMessage().contains(log.toString()) && e.getMessage().contains("checksum"), e.getMessage());
    }

    @Test
    void retentionMaxIsKeptHoweverSmallTheLog() {
        try (FileJobStore s = new FileJobStore(dir, 10, Duration.ofDays(7), 5, Clock.systemUTC())) {
            for (int i = 0; i < 40; i++) {
                Job j = s.create("vm" + i, "start", Map.of(), TX);
                s.start(j.id());
                s.finish(j.id(), null);
            }
            s.flush();
            assertEquals(5, s.list(JobQuery.recent(0)).size());
            assertEquals("vm39", s.list(JobQuery.recent(0)).get(0).queue(), "the newest are kept");
        }
        try (FileJobStore again = new FileJobStore(dir, 10, Duration.ofDays(7), 5, Clock.systemUTC())) {
            assertEquals(5, again.list(JobQuery.recent(0)).size(), "retention holds after a restart too");
        }
        assertTrue(dir.resolve(FileJobStore.LOG).toFile().length() < 40 * 200, "the log was rewritten without them");
    }

    /**
     * What {@code flush} returned from survives a power loss: the store
     * writes through a layer that forgets whatever was not synced.
     */
    @Test
    @Timeout(60)
    void flushedJobsSurviveAPowerLoss() throws Exception {
        FaultInjectingFileIo io = new FaultInjectingFileIo(dir);
        FileJobStore s = new FileJobStore(io, dir, 60_000, Duration.ofDays(7), 20, Clock.systemUTC());
        Map<String, JobState> flushed = new java.util.HashMap<>();
        for (int i = 0; i < 100; i++) {
            Job j = s.create("vm" + i, "start", Map.of("i", String.valueOf(i)), TX);
            if (i % 2 == 0) {
                s.start(j.id());
                s.finish(j.id(), i % 4 == 0 ? null : "failed on purpose");
            }
            s.flush();
            flushed.put(j.id(), s.get(j.id()).orElseThrow().state());
        }
        io.powerLoss();
        try {
            s.close();
        } catch (RuntimeException e) {
            // its files are gone with the power
        }
        try (FileJobStore after = new FileJobStore(dir, 10, Duration.ofDays(7), 20, Clock.systemUTC())) {
            int finished = 0;
            for (Map.Entry<String, JobState> e : flushed.entrySet()) {
                java.util.Optional<Job> j = after.get(e.getKey());
                if (e.getValue().isFinished() && j.isEmpty()) {
                    continue; // dropped by retention (20 kept)
                }
                assertEquals(e.getValue(), j.orElseThrow(() -> new AssertionError("flushed job lost: " + e.getKey()))
                        .state(), e.getKey());
                finished += e.getValue().isFinished() ? 1 : 0;
            }
            assertEquals(20, finished, "the 20 newest finished jobs are kept");
        }
    }

    /** Run in a separate process: queues a job, starts another, and dies without a word (SIGKILL-like halt). */
    public static final class QueueAndDie {
        public static void main(String[] args) {
            FileJobStore s = new FileJobStore(Path.of(args[0]), 10, Duration.ofDays(7), 1000, Clock.systemUTC());
            Job queued = s.create("vm1", "reboot", Map.of("node", "vm1"), TX);
            Job running = s.create("vm2", "reboot", Map.of("node", "vm2"), TX);
            s.start(running.id());
            s.flush();
            System.out.println(queued.id() + " " + running.id());
            System.out.flush();
            Runtime.getRuntime().halt(9);
        }
    }

    @Test
    @Timeout(60)
    void jobsOfAProcessThatDiedAreInterruptedNeverRunByAnother() throws Exception {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), QueueAndDie.class.getName(), dir.toString()).start();
        String[] ids = new String(p.getInputStream().readAllBytes()).trim().split(" ");
        assertEquals(9, p.waitFor());
        try (FileJobStore s = open()) {
            assertEquals(List.of(), s.queued(), "another process's queued job is not this one's to run");
            Job queued = s.get(ids[0]).orElseThrow();
            assertEquals(JobState.INTERRUPTED, queued.state());
            assertTrue(queued.error().contains("whether it did is unknown; 'vagoth job retry " + ids[0] + "'"),
                    queued.error());
            assertEquals(JobState.INTERRUPTED, s.get(ids[1]).orElseThrow().state());
            assertTrue(s.start(ids[0]).isEmpty(), "an interrupted job is never started by itself");
        }
    }

    @Test
    @Timeout(60)
    void theFirstFlushMakesANewLogDurable() throws Exception {
        FaultInjectingFileIo io = new FaultInjectingFileIo(dir);
        FileJobStore s = new FileJobStore(io, dir, 60_000, Duration.ofDays(7), 20, Clock.systemUTC());
        Job j = s.create("vm1", "reboot", Map.of("node", "vm1"), TX);
        s.start(j.id());
        s.flush(); // the power goes while the reboot runs
        io.powerLoss();
        try {
            s.close();
        } catch (RuntimeException e) {
            // its files are gone with the power
        }
        try (FileJobStore after = open()) {
            assertEquals(JobState.INTERRUPTED, after.get(j.id()).orElseThrow().state(),
                    "a job that may have rebooted the VM must be known, and never run again by itself");
        }
    }

    @Test
    void stepsAreRecordedAtOnceAndSeenByOthers() {
        try (FileJobStore s = new FileJobStore(dir, 60_000, Duration.ofDays(7), 1000, Clock.systemUTC());
                FileJobStore other = open()) {
            Job j = s.create("vm1", "migrate", Map.of("node", "vm1"), TX);
            s.start(j.id());
            s.step(j.id(), "undefined on hv1");
            s.step(j.id(), "assigned to hv2");
            assertEquals(List.of("undefined on hv1", "assigned to hv2"), other.steps(j.id()),
                    "steps are on disk at once, whatever flush.ms says");
            s.finish(j.id(), null);
        }
        try (FileJobStore again = open()) {
            Job j = again.list(JobQuery.recent(1)).get(0);
            assertEquals(List.of("undefined on hv1", "assigned to hv2"), again.steps(j.id()));
        }
    }

    @Test
    void aCopiedJobRecordIsKeptAsItWasAndSurvivesAReopen() throws Exception {
        java.time.Instant at = java.time.Instant.now().minusSeconds(3600).truncatedTo(java.time.temporal.ChronoUnit.MICROS);
        Job copied = new Job("0badc0de", "1234abcd", "alice", "vm9", "define", Map.of("node", "vm9"), JobState.FAILED,
                "hyper1: no such domain", at, at.plusSeconds(1), at.plusSeconds(2)); // within the retention
        try (FileJobStore s = open()) {
            assertTrue(s.restore(copied, List.of("placed on hyper1", "defined")));
            assertFalse(s.restore(copied, List.of()), "a job it holds already is left as it is");
            Job open = s.create("vm9", "start", Map.of(), new vagoth.api.job.Transaction("1234abcd", "alice"));
            assertThrows(vagoth.api.VagothException.class, () -> s.restore(open, List.of()), "only a finished job");
        }
        try (FileJobStore s = open()) {
            assertEquals(java.util.Optional.of(copied), s.get("0badc0de"));
            assertEquals(List.of("placed on hyper1", "defined"), s.steps("0badc0de"));
        }
    }

    @Test
    void aJobIsMarkedRetriedOnceWhoeverAsks() throws Exception {
        try (FileJobStore a = open(); FileJobStore b = open()) { // two processes' stores on one log
            vagoth.testing.RetryOnce.check(a, b, a::flush);
        }
    }
}
