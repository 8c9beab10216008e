package vagoth.http.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import com.google.gson.JsonObject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import vagoth.api.access.Role;
import vagoth.api.job.Job;
import vagoth.api.job.Transaction;
import vagoth.http.internal.FakeHttp.Request;
import vagoth.http.internal.FakeHttp.Response;
import vagoth.testing.MemoryJobStore;
import vagoth.testing.MemoryRegistry;
import vagoth.testing.TestManager;

/** {@code /api/v1/jobs}: lists, one job with its steps, waits that need none, and every refusal. */
class JobsServletTest {
    private MemoryJobStore jobs;
    private JobsServlet servlet;
    private Job done;
    private Job queued;

    @BeforeEach
    void jobs() {
        jobs = new MemoryJobStore();
        Transaction tx = Transaction.begin("test");
        done = jobs.create("web1", "start", Map.of("node", "web1"), tx);
        jobs.start(done.id());
        jobs.finish(done.id(), null);
        queued = jobs.create("web2", "stop", Map.of("node", "web2"), tx);
        servlet = new JobsServlet(new TestManager("test", new MemoryRegistry()).jobs(jobs));
    }

    private Response get(String uri) throws Exception {
        return FakeHttp.call(servlet, new Request("GET", "/api/v1/jobs", uri).as(Role.VIEWER));
    }

    private static List<String> ids(Response r) {
        return r.json().getAsJsonArray().asList().stream().map(e -> e.getAsJsonObject().get("id").getAsString())
                .toList();
    }

    @Test
    void listsFilteredByStateAndNode() throws Exception {
        assertTrue(ids(get("/api/v1/jobs")).containsAll(List.of(done.id(), queued.id())));
        assertEquals(List.of(done.id()), ids(get("/api/v1/jobs?state=done")));
        assertEquals(List.of(queued.id()), ids(get("/api/v1/jobs?node=web2")));
        assertEquals(1, ids(get("/api/v1/jobs?limit=1")).size());
    }

    @Test
    void oneJobWithItsStepsAndAWaitThatNeedsNoWaiting() throws Exception {
        Response one = get("/api/v1/jobs/" + done.id());
        assertEquals(200, one.status, one.text());
        JsonObject o = one.json().getAsJsonObject();
        assertEquals("done", o.get("state").getAsString());
        assertTrue(o.has("steps"), one.text());
        Response waited = get("/api/v1/jobs/" + done.id() + "?wait=60");
        assertEquals("done", waited.json().getAsJsonObject().get("state").getAsString(), "an ended job is answered");
        Response notWaited = get("/api/v1/jobs/" + queued.id() + "?wait=0");
        assertEquals("queued", notWaited.json().getAsJsonObject().get("state").getAsString(), "wait=0 waits not");
    }

    @Test
    void badQueriesAreRefusedAndUnknownJobsAreNotThere() throws Exception {
        Map<String, String> refused = Map.of("/api/v1/jobs?state=sleeping", "unknown state 'sleeping'",
                "/api/v1/jobs?limit=0", "limit takes a number from 1 to 10000",
                "/api/v1/jobs?limit=many", "limit takes a number from 1 to 10000",
                "/api/v1/jobs/" + done.id() + "?wait=soon", "wait takes seconds from 0 to 300",
                "/api/v1/jobs/" + done.id() + "?wait=301", "wait takes seconds from 0 to 300");
        for (Map.Entry<String, String> r : refused.entrySet()) {
            Response answer = get(r.getKey());
            assertEquals(400, answer.status, r.getKey() + ": " + answer.text());
            assertTrue(answer.error().startsWith(r.getValue()), r.getKey() + ": " + answer.text());
        }
        assertEquals(404, get("/api/v1/jobs/nosuch").status);
        Response cancel = FakeHttp.call(servlet, new Request("DELETE", "/api/v1/jobs", "/api/v1/jobs/" + queued.id())
                .as(Role.VIEWER));
        assertEquals(403, cancel.status, cancel.text());
        assertEquals(401, FakeHttp.call(servlet, new Request("GET", "/api/v1/jobs", "/api/v1/jobs")).status);
    }
}
