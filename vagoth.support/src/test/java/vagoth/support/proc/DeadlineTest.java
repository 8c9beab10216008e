package vagoth.support.proc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Real processes: each test's process is ended, or ends, within the test's own timeout. */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class DeadlineTest {
    @Test
    void aProcessThatHangsWithoutAWordIsEndedAtTheDeadline() throws Exception {
        Deadline.Outcome o = Deadline.run(List.of("sh", "-c", "echo started; exec sleep 1000"), Duration.ofSeconds(1),
                100);
        assertTrue(o.timedOut());
        assertEquals(-1, o.exitValue());
        assertEquals("started\n", o.output(), "what it said before it was ended is kept");
    }

    @Test
    void aChildThatHoldsTheOutputOpenIsEndedWithIt() throws Exception {
        Deadline.Outcome o = Deadline.run(List.of("sh", "-c", "sleep 1000 & echo $!; wait"), Duration.ofSeconds(1),
                100);
        assertTrue(o.timedOut());
        long child = Long.parseLong(o.output().strip());
        long until = System.nanoTime() + 10_000_000_000L;
        while (ProcessHandle.of(child).map(ProcessHandle::isAlive).orElse(false) && System.nanoTime() < until) {
            Thread.sleep(20);
        }
        assertFalse(ProcessHandle.of(child).map(ProcessHandle::isAlive).orElse(false), "its child was ended too");
    }

    @Test
    void itsErrorsAreKeptApartWhenAsked() throws Exception {
        Deadline.Outcome o = Deadline.runApart(List.of("sh", "-c", "echo out; echo err >&2; exit 3"),
                Duration.ofSeconds(30), 100);
        assertEquals(new Deadline.Outcome(3, false, "out\n", "err\n"), o);
        assertEquals(new Deadline.Outcome(3, false, "out\nerr\n", ""),
                Deadline.run(List.of("sh", "-c", "echo out; sleep 0.1; echo err >&2; exit 3"), Duration.ofSeconds(30),
                        100), "merged otherwise");
    }

    @Test
    void aFloodIsReadToTheEndAndKeptToItsBound() throws Exception {
        // 8 MiB on each stream: a process whose reader stopped, or whose errors nobody read, would block on a full pipe
        Deadline.Outcome o = Deadline.runApart(List.of("sh", "-c", "head -c 8388608 /dev/zero; head -c 8388608"
                + " /dev/zero >&2"), Duration.ofSeconds(30), 1000);
        assertFalse(o.timedOut());
        assertEquals(0, o.exitValue());
        assertEquals(1000, o.output().length());
        assertEquals(1000, o.errors().length());
    }
}
