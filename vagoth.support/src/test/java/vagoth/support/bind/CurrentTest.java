package vagoth.support.bind;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import vagoth.api.InvalidValueException;
import vagoth.api.ServiceUnavailableException;

/** A plugin's hold on a service an operator may swap. */
@Timeout(30)
class CurrentTest {

    @Test
    void aCallDuringASwapWaitsForTheNextService() throws Exception {
        Current<String> c = new Current<>("registry", 20_000);
        c.bind("old");
        c.unbind("old");
        CompletableFuture<String> call = CompletableFuture.supplyAsync(c::get);
        Thread.sleep(100);
        c.bind("new");
        assertEquals("new", call.get(10, TimeUnit.SECONDS));
    }

    @Test
    void anInterruptedCallerStillGetsTheNextServiceAndKeepsItsInterrupt() throws Exception {
        Current<String> c = new Current<>("registry", 20_000);
        c.bind("old");
        c.unbind("old");
        CompletableFuture<Boolean> keptFlag = new CompletableFuture<>();
        Thread caller = new Thread(() -> {
            Thread.currentThread().interrupt();
            String got = c.get();
            keptFlag.complete(got.equals("new") && Thread.interrupted());
        });
        caller.start();
        Thread.sleep(100);
        c.bind("new");
        assertEquals(true, keptFlag.get(10, TimeUnit.SECONDS));
    }

    @Test
    void withNoGraceOrNoneEverBoundACallFailsNamingWhatIsMissing() {
        Current<String> c = new Current<>("registry", 0);
        assertEquals("No registry is active; install or configure one (see 'vagoth plugins')",
                assertThrows(ServiceUnavailableException.class, c::get).getMessage());
        c.bind("old");
        c.unbind("old");
        assertThrows(ServiceUnavailableException.class, c::get);
    }

    @Test
    void aGreedyRebindKeepsTheNewServiceWhenTheOldOneLeaves() {
        Current<String> c = new Current<>("registry", 0);
        c.bind("old");
        c.bind("new");   // the framework binds the replacement first...
        c.unbind("old"); // ...then unbinds the one it replaced
        assertSame("new", c.get());
    }

    @Test
    void theGraceIsReadFromTheSelectionAndABadOneIsNamed() {
        assertEquals(10_000, Current.grace(Map.of()));
        assertEquals(250, Current.grace(Map.of("swap.grace.ms", "250")));
        assertEquals("vagoth.manager swap.grace.ms must be a number of milliseconds, not 'soon'",
                assertThrows(InvalidValueException.class, () -> Current.grace(Map.of("swap.grace.ms", "soon")))
                        .getMessage());
    }
}
