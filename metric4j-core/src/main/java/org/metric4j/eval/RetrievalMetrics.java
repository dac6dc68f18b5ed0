package org.metric4j.eval;

import ai.djl.ndarray.NDArray;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Retrieval metrics as pytorch-metric-learning's {@code AccuracyCalculator} defines them with
 * k = "max_bin_count" (the largest class size among the references, less one when queries are
 * the references), plus Recall@K:
 *
 * <ul>
 *   <li>Precision@1: the nearest neighbour has the query's label.
 *   <li>R-Precision: with R the number of references of the query's label (itself excluded),
 *       the fraction of the R nearest that share it.
 *   <li>MAP@R: \( \frac{1}{R}\sum_{i \le R} P(i)\,rel(i) \).
 *   <li>MAP: \( \frac{1}{R}\sum_{i \le k} P(i)\,rel(i) \), average precision over the k nearest
 *       normalized by all R relevant references (the values PML 2.8.1 reports in the fixtures).
 *   <li>MRR: 1 / rank of the first relevant neighbour within k (0 if none).
 *   <li>Recall@K: a relevant item among the K nearest.
 * </ul>
 *
 * Queries whose label has no other reference (R = 0) are left out and counted in the report.
 */
public final class RetrievalMetrics {

    /** The Recall@K values reported by default. */
    public static final int[] DEFAULT_RECALL_KS = {1, 2, 4, 8};

    private RetrievalMetrics() {}

    /**
     * The report.
     *
     * @param precisionAt1 Precision@1
     * @param rPrecision R-Precision
     * @param meanAveragePrecisionAtR MAP@R
     * @param meanAveragePrecision MAP within k
     * @param meanReciprocalRank MRR within k
     * @param recallAtK Recall@K for each requested K
     * @param k the k of "max_bin_count"
     * @param queries queries evaluated
     * @param skippedQueries queries left out because no reference shares their label
     */
    public record Report(double precisionAt1, double rPrecision, double meanAveragePrecisionAtR,
            double meanAveragePrecision, double meanReciprocalRank, Map<Integer, Double> recallAtK,
            int k, int queries, int skippedQueries) {}

    /** Leave-one-out: every embedding is a query against all the others. */
    public static Report leaveOneOut(NDArray embeddings, long[] labels, KnnSearch search, int... recallKs) {
        checkLength(embeddings, labels, "labels");
        return evaluate(embeddings, labels, embeddings, labels, true, search, recallKs);
    }

    /** Queries against a separate reference set. */
    public static Report queryVsReference(NDArray queries, long[] queryLabels, NDArray references,
            long[] referenceLabels, KnnSearch search, int... recallKs) {
        checkLength(queries, queryLabels, "queryLabels");
        checkLength(references, referenceLabels, "referenceLabels");
        return evaluate(queries, queryLabels, references, referenceLabels, false, search, recallKs);
    }

    private static void checkLength(NDArray x, long[] labels, String name) {
        if (x.getShape().dimension() != 2 || x.getShape().get(0) != labels.length) {
            throw new IllegalArgumentException(
                    name + " must have one label per embedding row (" + x.getShape() + "), got "
                            + labels.length);
        }
    }

    private static Report evaluate(NDArray queries, long[] queryLabels, NDArray references,
            long[] referenceLabels, boolean self, KnnSearch search, int[] recallKs) {
        int[] ks = recallKs.length == 0 ? DEFAULT_RECALL_KS : recallKs;
        Map<Long, Integer> counts = new HashMap<>();
        int maxBin = 0;
        for (long l : referenceLabels) {
            int c = counts.merge(l, 1, Integer::sum);
            maxBin = Math.max(maxBin, c);
        }
        int k = maxBin - (self ? 1 : 0);
        int maxRecall = 0;
        for (int r : ks) {
            if (r < 1) {
                throw new IllegalArgumentException("recall K must be >= 1, got " + r);
            }
            maxRecall = Math.max(maxRecall, r);
        }
        int available = referenceLabels.length - (self ? 1 : 0);
        if (maxRecall > available) {
            throw new IllegalArgumentException(
                    "recall K must be at most the reference set size " + available + ", got " + maxRecall);
        }
        int depth = Math.max(Math.max(k, maxRecall), 1);
        KnnSearch.Result nn = search.search(queries, references, depth,
                self ? Neighbours.EXCLUDE_SELF : Neighbours.INCLUDE_SELF);
        return fromNeighbors(queryLabels, referenceLabels, counts, nn.indices(), k, ks, self);
    }

    /**
     * The neighbour depth the metrics need: max(k, largest K), where k is the largest class size
     * of the references (less one for leave-one-out), as pytorch-metric-learning's "max_bin_count".
     *
     * @param referenceLabels the reference labels
     * @param neighbours {@link Neighbours#EXCLUDE_SELF} for leave-one-out (queries are the references)
     * @param recallKs the Recall@K values (empty: {@link #DEFAULT_RECALL_KS})
     * @return the depth
     */
    public static int depth(long[] referenceLabels, Neighbours neighbours, int... recallKs) {
        boolean self = Objects.requireNonNull(neighbours, "neighbours").excludesSelf();
        int[] ks = recallKs.length == 0 ? DEFAULT_RECALL_KS : recallKs;
        Map<Long, Integer> counts = new HashMap<>();
        int maxBin = 0;
        for (long l : referenceLabels) {
            maxBin = Math.max(maxBin, counts.merge(l, 1, Integer::sum));
        }
        int maxRecall = 0;
        for (int r : ks) {
            maxRecall = Math.max(maxRecall, r);
        }
        return Math.max(Math.max(maxBin - (self ? 1 : 0), maxRecall), 1);
    }

    /**
     * The metrics from neighbour lists found by any exact search (e.g. sharded over a cluster
     * and merged): the same numbers as {@link #leaveOneOut} / {@link #queryVsReference} given
     * the same neighbours.
     *
     * @param queryLabels the query labels
     * @param referenceLabels the reference labels
     * @param neighbours per query, reference indices best first, at least {@link #depth} long
     *     (without the query itself for leave-one-out)
     * @param self {@link Neighbours#EXCLUDE_SELF} for leave-one-out
     * @param recallKs the Recall@K values (empty: {@link #DEFAULT_RECALL_KS})
     * @return the report
     */
    public static Report fromNeighbours(long[] queryLabels, long[] referenceLabels, long[][] neighbours,
            Neighbours self, int... recallKs) {
        boolean leaveOneOut = Objects.requireNonNull(self, "self").excludesSelf();
        int[] ks = recallKs.length == 0 ? DEFAULT_RECALL_KS : recallKs;
        Map<Long, Integer> counts = new HashMap<>();
        int maxBin = 0;
        for (long l : referenceLabels) {
            maxBin = Math.max(maxBin, counts.merge(l, 1, Integer::sum));
        }
        int need = depth(referenceLabels, self, ks);
        for (int i = 0; i < neighbours.length; i++) {
            if (neighbours[i].length < need) {
                throw new IllegalArgumentException("query " + i + " has " + neighbours[i].length
                        + " neighbours, the metrics need " + need);
            }
        }
        return fromNeighbors(queryLabels, referenceLabels, counts, neighbours, maxBin - (leaveOneOut ? 1 : 0), ks,
                leaveOneOut);
    }

    /** The metrics from neighbour lists (best first, at least max(k, K) long). */
    static Report fromNeighbors(long[] queryLabels, long[] referenceLabels, Map<Long, Integer> counts,
            long[][] neighbours, int k, int[] recallKs, boolean self) {
        Sums sums = new Sums(k, recallKs);
        for (int i = 0; i < queryLabels.length; i++) {
            int r = counts.getOrDefault(queryLabels[i], 0) - (self ? 1 : 0);
            long[] nb = neighbours[i];
            long[] nbLabels = new long[nb.length];
            for (int j = 0; j < nb.length; j++) {
                nbLabels[j] = referenceLabels[(int) nb[j]];
            }
            sums.add(queryLabels[i], r, nbLabels);
        }
        return sums.report();
    }

    /**
     * The per-query sums behind a {@link Report}, for evaluations that see their queries in
     * parts (e.g. query blocks on a cluster): add each query once, merge the parts in any order,
     * and {@link #report()} gives the numbers of {@link #fromNeighbours} over all the queries
     * (up to the order of a floating-point sum).
     */
    public static final class Sums implements java.io.Serializable {
        private static final long serialVersionUID = 1L;
        private final int k;
        private final int[] recallKs;
        private double p1;
        private double rp;
        private double mapR;
        private double map;
        private double mrr;
        private final double[] recall;
        private int used;
        private int skipped;

        /**
         * Empty sums.
         *
         * @param k the k of "max_bin_count" (largest class size among the references, less one
         *     for leave-one-out)
         * @param recallKs the Recall@K values (empty: {@link #DEFAULT_RECALL_KS})
         */
        public Sums(int k, int... recallKs) {
            this.k = k;
            this.recallKs = (recallKs.length == 0 ? DEFAULT_RECALL_KS : recallKs).clone();
            this.recall = new double[this.recallKs.length];
        }

        /**
         * Adds one query.
         *
         * @param queryLabel the query's label
         * @param r the references sharing the label (the query itself not counted); a query with
         *     {@code r <= 0} is counted as skipped
         * @param neighbourLabels the labels of its nearest references, best first, at least
         *     max(k, largest K) long
         */
        public void add(long queryLabel, int r, long[] neighbourLabels) {
            if (r <= 0) {
                skipped++;
                return;
            }
            used++;
            long[] nb = neighbourLabels;
            boolean[] rel = new boolean[nb.length];
            for (int j = 0; j < nb.length; j++) {
                rel[j] = nb[j] == queryLabel;
            }
            p1 += rel[0] ? 1 : 0;
            int hits = 0;
            double sumPrecisionR = 0;
            int hitsK = 0;
            double sumPrecisionK = 0;
            int firstHit = -1;
            for (int j = 0; j < k; j++) {
                if (rel[j]) {
                    hitsK++;
                    sumPrecisionK += hitsK / (double) (j + 1);
                    if (firstHit < 0) {
                        firstHit = j;
                    }
                    if (j < r) {
                        hits++;
                        sumPrecisionR += hits / (double) (j + 1);
                    }
                }
            }
            rp += hits / (double) r;
            mapR += sumPrecisionR / r;
            map += sumPrecisionK / r;
            mrr += firstHit < 0 ? 0 : 1.0 / (firstHit + 1);
            for (int t = 0; t < recallKs.length; t++) {
                for (int j = 0; j < recallKs[t]; j++) {
                    if (rel[j]) {
                        recall[t]++;
                        break;
                    }
                }
            }
        }

        /** These sums plus {@code other}'s (same k and Ks), as new sums. */
        public Sums merge(Sums other) {
            if (other.k != k || !java.util.Arrays.equals(other.recallKs, recallKs)) {
                throw new IllegalArgumentException("cannot merge sums of k=" + other.k + ", Ks="
                        + java.util.Arrays.toString(other.recallKs) + " into k=" + k + ", Ks="
                        + java.util.Arrays.toString(recallKs));
            }
            Sums s = new Sums(k, recallKs);
            s.p1 = p1 + other.p1;
            s.rp = rp + other.rp;
            s.mapR = mapR + other.mapR;
            s.map = map + other.map;
            s.mrr = mrr + other.mrr;
            for (int t = 0; t < recall.length; t++) {
                s.recall[t] = recall[t] + other.recall[t];
            }
            s.used = used + other.used;
            s.skipped = skipped + other.skipped;
            return s;
        }

        /** The queries added (evaluated and skipped). */
        public int count() {
            return used + skipped;
        }

        /** The report of the queries added. */
        public Report report() {
            int n = Math.max(1, used);
            Map<Integer, Double> recallAtK = new LinkedHashMap<>();
            for (int t = 0; t < recallKs.length; t++) {
                recallAtK.put(recallKs[t], recall[t] / n);
            }
            return new Report(p1 / n, rp / n, mapR / n, map / n, mrr / n, recallAtK, k, used, skipped);
        }
    }
}
