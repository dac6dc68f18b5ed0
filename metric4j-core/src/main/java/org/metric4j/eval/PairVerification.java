package org.metric4j.eval;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Verification of a pairs file against an embedding set: the score of a pair is the cosine
 * similarity (or the negated L2 distance) of its two embeddings, then {@link
 * VerificationProtocol} with the file's folds. A pair naming an item without an embedding is an
 * error with {@link Missing#FAIL}; with {@link Missing#SKIP} the pair is left out and counted.
 */
public final class PairVerification {

    /** How a pair is scored. */
    public enum Score {
        /** Cosine similarity. */
        COSINE,
        /** Negated Euclidean distance (a distance flips the comparison). */
        L2
    }

    /** What to do with a pair whose item has no embedding. */
    public enum Missing {
        /** Throw, naming the line and the item. */
        FAIL,
        /** Leave the pair out and count it in {@link Result#skippedPairs}. */
        SKIP
    }

    /**
     * The result.
     *
     * @param report the protocol's report
     * @param evaluatedPairs pairs scored
     * @param skippedPairs pairs skipped because an item had no embedding
     */
    public record Result(VerificationProtocol.Report report, int evaluatedPairs, int skippedPairs) {}

    private PairVerification() {}

    /**
     * Scores the pairs and runs the protocol.
     *
     * @param set embeddings with item names (extensions such as ".jpg" are ignored)
     * @param pairs the pairs file
     * @param score cosine or L2
     * @param missing what to do with a pair whose item has no embedding
     * @param protocol the protocol (its folds must equal the file's)
     * @return the report with counts
     */
    public static Result evaluate(EmbeddingSet set, PairsFile pairs, Score score, Missing missing,
            VerificationProtocol protocol) {
        Rows rows = rows(set, pairs, missing);
        double[] s = new double[rows.size()];
        for (int i = 0; i < s.length; i++) {
            s[i] = score == Score.COSINE ? set.cosine(rows.first()[i], rows.second()[i])
                    : -set.l2(rows.first()[i], rows.second()[i]);
        }
        return new Result(protocol.evaluate(s, rows.same(), rows.folds()), s.length, rows.skipped());
    }

    /**
     * The pairs of a file as rows of an embedding set, in file order: what a scorer needs wherever
     * the rows live (here, or on a cluster).
     *
     * @param first the row of each pair's first item
     * @param second the row of each pair's second item
     * @param same whether each pair is genuine
     * @param folds the fold of each pair
     * @param skipped pairs left out because an item had no embedding
     */
    public record Rows(int[] first, int[] second, boolean[] same, int[] folds, int skipped) {
        /** The number of pairs kept. */
        public int size() {
            return first.length;
        }
    }

    /**
     * Finds each pair's items among the set's names (extensions ignored).
     *
     * @param set embeddings with item names
     * @param pairs the pairs file
     * @param missing what to do with a pair whose item has no embedding ({@link Missing#FAIL}:
     *     an error naming the line and the item)
     * @return the pairs' rows
     */
    public static Rows rows(EmbeddingSet set, PairsFile pairs, Missing missing) {
        boolean skipMissing = java.util.Objects.requireNonNull(missing, "missing") == Missing.SKIP;
        if (set.names() == null) {
            throw new IllegalArgumentException("verification needs item names to find the pairs' items");
        }
        Map<String, Integer> index = new java.util.HashMap<>();
        for (Map.Entry<String, Integer> e : set.nameIndex().entrySet()) {
            index.put(stripExtension(e.getKey()), e.getValue());
        }
        List<int[]> kept = new ArrayList<>();
        List<PairsFile.Pair> keptPairs = new ArrayList<>();
        int skipped = 0;
        for (PairsFile.Pair p : pairs.pairs()) {
            Integer a = index.get(p.first());
            Integer b = index.get(p.second());
            if (a == null || b == null) {
                if (!skipMissing) {
                    throw new IllegalArgumentException("line " + p.line() + ": no embedding for '"
                            + (a == null ? p.first() : p.second())
                            + "' (ask to skip missing items to evaluate the other pairs)");
                }
                skipped++;
                continue;
            }
            kept.add(new int[] {a, b});
            keptPairs.add(p);
        }
        int n = kept.size();
        int[] first = new int[n];
        int[] second = new int[n];
        boolean[] same = new boolean[n];
        int[] folds = new int[n];
        for (int i = 0; i < n; i++) {
            first[i] = kept.get(i)[0];
            second[i] = kept.get(i)[1];
            same[i] = keptPairs.get(i).same();
            folds[i] = keptPairs.get(i).fold();
        }
        return new Rows(first, second, same, folds, skipped);
    }

    /** An item name without its file extension ("A/A_0001.jpg" to "A/A_0001"), as pairs files name items. */
    public static String stripExtension(String name) {
        int slash = name.lastIndexOf('/');
        int dot = name.lastIndexOf('.');
        return dot > slash + 1 ? name.substring(0, dot) : name;
    }
}
