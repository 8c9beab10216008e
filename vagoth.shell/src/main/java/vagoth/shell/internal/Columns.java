package vagoth.shell.internal;

import java.util.List;
import java.util.function.BiFunction;

/** A table as the command line prints it: left-aligned columns two spaces apart, the first row the header. */
final class Columns {
    private Columns() {
    }

    static String of(List<String[]> rows) {
        return of(rows, (column, cell) -> cell);
    }

    /** @param decorate how a body cell is shown (colour), given its column; widths go by the plain text */
    static String of(List<String[]> rows, BiFunction<Integer, String, String> decorate) {
        int[] w = new int[rows.get(0).length];
        for (String[] r : rows) {
            for (int i = 0; i < r.length; i++) {
                w[i] = Math.max(w[i], r[i].length());
            }
        }
        StringBuilder sb = new StringBuilder();
        for (int n = 0; n < rows.size(); n++) {
            String[] r = rows.get(n);
            for (int i = 0; i < r.length; i++) {
                String cell = n == 0 ? r[i] : decorate.apply(i, r[i]);
                sb.append(cell);
                if (i < r.length - 1) {
                    sb.append(" ".repeat(w[i] - r[i].length() + 2));
                }
            }
            sb.append('\n');
        }
        return sb.toString().stripTrailing();
    }
}
