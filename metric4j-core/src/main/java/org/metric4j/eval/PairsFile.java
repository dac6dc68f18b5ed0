package org.metric4j.eval;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The LFW {@code pairs.txt} format: a header line {@code folds pairsPerFold}, then for each fold
 * {@code pairsPerFold} matched lines {@code name i j} followed by {@code pairsPerFold} mismatched
 * lines {@code name1 i name2 j} (fields separated by tabs or spaces). Image i of a person is
 * named {@code name/name_%04d}.
 */
public final class PairsFile {

    /**
     * One pair.
     *
     * @param first the item name of the first image ({@code name/name_0001})
     * @param second the item name of the second image
     * @param same whether the pair is matched
     * @param fold its fold
     * @param line its line in the file (1-based)
     */
    public record Pair(String first, String second, boolean same, int fold, int line) {}

    private final int folds;
    private final List<Pair> pairs;

    private PairsFile(int folds, List<Pair> pairs) {
        this.folds = folds;
        this.pairs = List.copyOf(pairs);
    }

    /** The number of folds of the header. */
    public int folds() {
        return folds;
    }

    /** The pairs in file order. */
    public List<Pair> pairs() {
        return pairs;
    }

    /** The item name of image {@code index} of {@code person}. */
    public static String itemName(String person, int index) {
        return String.format(Locale.ROOT, "%s/%s_%04d", person, person, index);
    }

    /** Reads a pairs file; a line that does not parse is an error naming the line and the reason. */
    public static PairsFile read(Path file) throws IOException {
        List<String> lines;
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            lines = r.lines().toList();
        }
        return parse(lines, file.toString());
    }

    /** Parses the lines of a pairs file ({@code source} names it in errors). */
    public static PairsFile parse(List<String> lines, String source) {
        if (lines.isEmpty()) {
            throw new IllegalArgumentException(source + ": empty pairs file, expected a header 'folds pairsPerFold'");
        }
        String[] head = lines.get(0).trim().split("\\s+");
        int folds;
        int perFold;
        try {
            if (head.length != 2) {
                throw new NumberFormatException("expected 2 fields, got " + head.length);
            }
            folds = Integer.parseInt(head[0]);
            perFold = Integer.parseInt(head[1]);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(source + ": line 1 must be 'folds pairsPerFold', got '"
                    + lines.get(0) + "' (" + e.getMessage() + ")");
        }
        if (folds < 1 || perFold < 1) {
            throw new IllegalArgumentException(source + ": line 1 must give folds >= 1 and pairs per fold >= 1, got "
                    + folds + " and " + perFold);
        }
        List<Pair> pairs = new ArrayList<>();
        int lineNo = 1;
        for (int f = 0; f < folds; f++) {
            for (int kind = 0; kind < 2; kind++) {
                boolean same = kind == 0;
                for (int p = 0; p < perFold; p++) {
                    lineNo++;
                    if (lineNo > lines.size()) {
                        throw new IllegalArgumentException(source + ": ends at line " + lines.size()
                                + ", but the header promises " + folds + " folds of " + perFold
                                + " matched and " + perFold + " mismatched pairs");
                    }
                    pairs.add(parseLine(lines.get(lineNo - 1), same, f, lineNo, source));
                }
            }
        }
        for (int i = lineNo; i < lines.size(); i++) {
            if (!lines.get(i).isBlank()) {
                throw new IllegalArgumentException(source + ": line " + (i + 1)
                        + " is past the " + folds * 2 * perFold + " pairs the header announces");
            }
        }
        return new PairsFile(folds, pairs);
    }

    private static Pair parseLine(String line, boolean same, int fold, int lineNo, String source) {
        String[] f = line.trim().split("\\s+");
        try {
            if (same) {
                if (f.length != 3) {
                    throw new IllegalArgumentException("a matched pair needs 'name i j', got " + f.length + " fields");
                }
                return new Pair(itemName(f[0], index(f[1])), itemName(f[0], index(f[2])), true, fold, lineNo);
            }
            if (f.length != 4) {
                throw new IllegalArgumentException(
                        "a mismatched pair needs 'name1 i name2 j', got " + f.length + " fields");
            }
            return new Pair(itemName(f[0], index(f[1])), itemName(f[2], index(f[3])), false, fold, lineNo);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    source + ": line " + lineNo + " '" + line + "' does not parse: " + e.getMessage(), e);
        }
    }

    private static int index(String s) {
        try {
            int i = Integer.parseInt(s);
            if (i < 0) {
                throw new IllegalArgumentException("image index must be >= 0, got " + s);
            }
            return i;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("image index must be an integer, got '" + s + "'");
        }
    }
}
