package org.metric4j.eval;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Verification of a pairs file against an embedding set: the score of a pair is the cosine
 * similarity (or the negated L2 distance) of its two embeddings, then {@link
 * VerificationProtocol} with the file's folds. A pair naming an item without an embedding is an
 * error unless skipping was asked for; then the report counts the skipped pairs.
 */
public final class PairVerification {

    /** How a pair is scored. */
    public enum Score {
        /** Cosine similarity. */
        COSINE,
        /** Negated Euclidean distance (a distance flips the comparison). */
        L2
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
     * @param skipMissing whether to skip pairs whose items have no embedding (else an error)
     * @param protocol the protocol (its folds must equal the file's)
     * @return the report with counts
     */
    public static Result evaluate(EmbeddingSet set, PairsFile pairs, Score score, boolean skipMissing,
            VerificationProtocol protocol) {
        Map<String, Integer> index = new java.util.HashMap<>();
        for (Map.Entry<String, Integer> e : set.nameIndex().entrySet()) {
            index.put(stripExtension(e.getKey()), e.getValue());
        }
        List<Double> scores = new ArrayList<>();
        List<Boolean> same = new ArrayList<>();
        List<Integer> folds = new ArrayList<>();
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
            scores.add(score == Score.COSINE ? set.cosine(a, b) : -set.l2(a, b));
            same.add(p.same());
            folds.add(p.fold());
        }
        double[] s = scores.stream().mapToDouble(Double::doubleValue).toArray();
        boolean[] y = new boolean[same.size()];
        for (int i = 0; i < y.length; i++) {
            y[i] = same.get(i);
        }
        int[] f = folds.stream().mapToInt(Integer::intValue).toArray();
        return new Result(protocol.evaluate(s, y, f), s.length, skipped);
    }

    /** An item name without its file extension ("A/A_0001.jpg" to "A/A_0001"), as pairs files name items. */
    public static String stripExtension(String name) {
        int slash = name.lastIndexOf('/');
        int dot = name.lastIndexOf('.');
        return dot > slash + 1 ? name.substring(0, dot) : name;
    }
}
