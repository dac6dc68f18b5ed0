package org.metric4j.report;

import java.util.ArrayList;
import java.util.List;

/**
 * A text table as Python's {@code prettytable.PrettyTable} prints it with its defaults (the tables
 * of InsightFace's evaluation scripts): a column is as wide as its widest cell plus one space each
 * side, cells are centred (an odd leftover space goes right of odd-length text, left of
 * even-length text), and rules of {@code +---+} frame the header and the rows.
 */
public final class PrettyTable {

    private PrettyTable() {}

    /**
     * The table's lines.
     *
     * @param headers the column names
     * @param rows the rows, each with one cell per column
     * @return the lines, without line terminators
     */
    public static List<String> render(List<String> headers, List<List<String>> rows) {
        int[] width = new int[headers.size()];
        for (int c = 0; c < width.length; c++) {
            width[c] = headers.get(c).length();
        }
        for (List<String> row : rows) {
            if (row.size() != width.length) {
                throw new IllegalArgumentException("every row must have " + width.length + " cells, got " + row);
            }
            for (int c = 0; c < width.length; c++) {
                width[c] = Math.max(width[c], row.get(c).length());
            }
        }
        StringBuilder rule = new StringBuilder("+");
        for (int w : width) {
            rule.append("-".repeat(w + 2)).append('+');
        }
        List<String> out = new ArrayList<>();
        out.add(rule.toString());
        out.add(line(headers, width));
        out.add(rule.toString());
        for (List<String> row : rows) {
            out.add(line(row, width));
        }
        out.add(rule.toString());
        return out;
    }

    private static String line(List<String> cells, int[] width) {
        StringBuilder sb = new StringBuilder("|");
        for (int c = 0; c < width.length; c++) {
            sb.append(' ').append(centre(cells.get(c), width[c])).append(" |");
        }
        return sb.toString();
    }

    private static String centre(String text, int width) {
        int excess = width - text.length();
        int left = excess / 2;
        int right = excess / 2;
        if (excess % 2 != 0) {
            if (text.length() % 2 != 0) {
                right++;
            } else {
                left++;
            }
        }
        return " ".repeat(left) + text + " ".repeat(right);
    }
}
