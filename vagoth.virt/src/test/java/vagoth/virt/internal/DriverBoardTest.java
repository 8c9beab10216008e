package vagoth.virt.internal;

import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.osgi.framework.Constants;

import vagoth.api.Node;
import vagoth.api.driver.Driver;
import vagoth.api.driver.DriverException;

class DriverBoardTest {
    private static Map<String, Object> props(String name, int ranking, long id) {
        return Map.of(Driver.NAME, name, Constants.SERVICE_RANKING, ranking, Constants.SERVICE_ID, id);
    }

    @Test
    void whenTheBestOfTwoDriversOfOneNameLeavesTheOtherServes() {
        DriverBoard board = new DriverBoard();
        Driver low = new DefaultDriver();
        Driver high = new DefaultDriver();
        board.add(low, props("geats", 0, 1));
        board.add(high, props("geats", 10, 2));
        Node hv = Node.of("hv1", "hv1", "hv").withDefinition(Map.of("driver", "geats"));
        assertSame(high, board.driverFor(hv));
        board.remove(high, props("geats", 10, 2));
        assertSame(low, board.driverFor(hv), "the surviving driver of that name was forgotten");
        board.remove(low, props("geats", 0, 1));
        assertThrows(DriverException.class, () -> board.driverFor(hv));
    }
}
