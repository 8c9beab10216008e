package vagoth.shell.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import vagoth.api.job.Job;
import vagoth.api.job.JobState;

class JobFormatTest {
    private static Job failed(String id, String error) {
        return new Job(id, "0badc0de", "me", "vm1", "start", Map.of("vm", "vm1"), JobState.FAILED, error,
                Instant.EPOCH, Instant.EPOCH, Instant.EPOCH);
    }

    @Test
    void aMultiLineErrorKeepsItsJobOnOneRowAndPointsToTheWholeOfIt() {
        String table = new JobFormat(Style.PLAIN).table(List.of(
                failed("j1", "hyper1: agent failed on 'start': exit 1\nTraceback (most recent call last):\n  oops"),
                failed("j2", "no room")));
        List<String> lines = table.lines().toList();
        assertEquals(3, lines.size(), table);
        assertTrue(lines.get(1).endsWith("hyper1: agent failed on 'start': exit 1 ... (vagoth job j1)"), table);
        assertTrue(lines.get(2).endsWith("no room"), table);
        assertEquals(lines.get(0).indexOf("ERROR"), lines.get(2).indexOf("no room"), "the columns stay aligned");
    }

    @Test
    void theWholeErrorIsInTheJobsDetail() {
        String detail = new JobFormat(Style.PLAIN).detail(failed("j1", "first\nsecond"), List.of());
        assertTrue(detail.contains("error:    first\\nsecond"), detail);
    }
}
