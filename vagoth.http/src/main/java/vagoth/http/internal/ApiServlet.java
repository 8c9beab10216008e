package vagoth.http.internal;

import java.io.IOException;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import vagoth.api.InvalidNameException;
import vagoth.api.InvalidValueException;
import vagoth.api.NodeNotFoundException;
import vagoth.api.UnknownNodeTypeException;
import vagoth.api.VagothException;
import vagoth.api.access.TokenNotFoundException;
import vagoth.api.allocator.AllocationException;
import vagoth.api.job.JobNotFoundException;

/**
 * A resource of the API: what it throws becomes a JSON error with the status
 * that says what happened (404 for what is not there, 400 for a bad name or
 * value, 409 for a refusal the state explains); a method it does not serve is
 * a 405.
 */
abstract class ApiServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private static final System.Logger LOG = System.getLogger("vagoth.api");

    @Override
    protected final void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        try {
            switch (req.getMethod()) {
                case "GET" -> get(req, resp);
                case "POST" -> post(req, resp);
                case "PUT" -> put(req, resp);
                case "DELETE" -> delete(req, resp);
                default -> throw new Api.Refusal(405, req.getMethod() + " is not served here");
            }
        } catch (IOException e) {
            if (resp.isCommitted()) {
                throw e; // the client went while its answer was written
            }
            // the body did not arrive whole (an upload aborted or stalled): never logged as a 200
            boolean stalled = timedOut(e);
            resp.setHeader("Connection", "close");
            try {
                Api.error(resp, stalled ? 408 : 400, stalled ? "the body stopped arriving (idle.timeout.s in"
                        + " etc/vagoth.http.cfg)" : "the body did not arrive whole");
            } catch (IOException gone) {
                resp.setStatus(stalled ? 408 : 400); // the client has gone: what the log says
            }
        } catch (RuntimeException e) {
            resp.setHeader("Connection", "close"); // a refusal before the body was read: not waited for
            int status = status(e);
            if (status == 500) {
                LOG.log(System.Logger.Level.ERROR, "api: " + req.getMethod() + " " + req.getRequestURI() + " failed", e);
            }
            Api.error(resp, status, status == 500 ? "the daemon failed to answer (" + e.getClass().getSimpleName()
                    + "); its log says more" : e.getMessage());
        }
    }

    private static boolean timedOut(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.util.concurrent.TimeoutException || t instanceof java.net.SocketTimeoutException) {
                return true;
            }
        }
        return false;
    }

    private static int status(RuntimeException e) {
        if (e instanceof Api.Refusal r) {
            return r.status;
        }
        if (e instanceof NodeNotFoundException || e instanceof JobNotFoundException
                || e instanceof TokenNotFoundException) {
            return 404;
        }
        if (e instanceof InvalidNameException || e instanceof InvalidValueException
                || e instanceof UnknownNodeTypeException) {
            return 400;
        }
        if (e instanceof AllocationException) {
            return 422; // a placement refused, with each hypervisor's reason
        }
        return e instanceof VagothException ? 409 : 500;
    }

    void get(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        other(req, resp);
    }

    void post(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        other(req, resp);
    }

    void put(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        other(req, resp);
    }

    void delete(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        other(req, resp);
    }

    /** A method this resource does not serve: a 405 unless a resource says otherwise. */
    void other(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        throw notServed(req);
    }

    static Api.Refusal notServed(HttpServletRequest req) {
        return new Api.Refusal(405, req.getMethod() + " " + req.getRequestURI() + " is not served");
    }
}
