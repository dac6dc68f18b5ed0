package org.metric4j.eval;

import ai.djl.ndarray.NDArray;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.metric4j.math.Inputs;

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
 *
 * <p>{@link #evaluate} and {@link #perClass} take the other options of {@code AccuracyCalculator}
 * ({@link Options}): a fixed k, every reference ({@code k=None}), the per-class average ({@code
 * avg_of_avgs}), the per-class values ({@code return_per_class}), and queries that are the first
 * rows of the references ({@code ref_includes_query}). There, "max_bin_count" is PML's: the largest
 * number of references sharing a <em>query</em> label (less one with the query among them). When
 * k is less than R, R-Precision divides by k and MAP@R stops at k, as in PML. {@code include} and
 * {@code exclude} choose the {@link Metric metrics} under PML's names: the others are not computed
 * (no neighbour search at all when none needs it), read NaN (Recall@K: an empty map) and are left
 * out of {@link Report#metrics()}.
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
     * @param computed the metrics computed (the others read NaN, Recall@K an empty map)
     */
    public record Report(double precisionAt1, double rPrecision, double meanAveragePrecisionAtR,
            double meanAveragePrecision, double meanReciprocalRank, Map<Integer, Double> recallAtK,
            int k, int queries, int skippedQueries, Set<Metric> computed) {

        /** Copies the set of computed metrics. */
        public Report {
            computed = Collections.unmodifiableSet(computed.isEmpty() ? EnumSet.noneOf(Metric.class)
                    : EnumSet.copyOf(computed));
        }

        /**
         * The computed metrics under PML's names, in {@link Metric} order; Recall@K as {@code
         * recall_at_<K>} for each K.
         */
        public Map<String, Double> metrics() {
            Map<String, Double> out = new LinkedHashMap<>();
            for (Metric m : computed) {
                switch (m) {
                    case PRECISION_AT_1 -> out.put(m.pmlName(), precisionAt1);
                    case R_PRECISION -> out.put(m.pmlName(), rPrecision);
                    case MEAN_AVERAGE_PRECISION_AT_R -> out.put(m.pmlName(), meanAveragePrecisionAtR);
                    case MEAN_AVERAGE_PRECISION -> out.put(m.pmlName(), meanAveragePrecision);
                    case MEAN_RECIPROCAL_RANK -> out.put(m.pmlName(), meanReciprocalRank);
                    case RECALL_AT_K -> recallAtK.forEach((key, v) -> out.put("recall_at_" + key, v));
                    default -> throw new IllegalStateException(m.name());
                }
            }
            return out;
        }
    }

    /**
     * A metric of the report, named as in PML's {@code AccuracyCalculator} ({@code include} /
     * {@code exclude}); Recall@K is metric4j's ({@code recall_at_k}). PML's clustering metrics
     * (AMI, NMI) are {@link Clustering}'s.
     */
    public enum Metric {
        /** Precision@1. */
        PRECISION_AT_1("precision_at_1"),
        /** R-Precision. */
        R_PRECISION("r_precision"),
        /** MAP@R. */
        MEAN_AVERAGE_PRECISION_AT_R("mean_average_precision_at_r"),
        /** MAP within k. */
        MEAN_AVERAGE_PRECISION("mean_average_precision"),
        /** MRR within k. */
        MEAN_RECIPROCAL_RANK("mean_reciprocal_rank"),
        /** Recall@K at each requested K. */
        RECALL_AT_K("recall_at_k");

        private final String pmlName;

        Metric(String pmlName) {
            this.pmlName = pmlName;
        }

        /** The name in PML's {@code include} / {@code exclude}. */
        public String pmlName() {
            return pmlName;
        }

        /** Whether the metric reads the first k neighbours (as opposed to the first one or the first K). */
        boolean readsK() {
            return this == R_PRECISION || this == MEAN_AVERAGE_PRECISION_AT_R || this == MEAN_AVERAGE_PRECISION
                    || this == MEAN_RECIPROCAL_RANK;
        }

        /**
         * The metric of a PML name.
         *
         * @param argument the option being set, for the message ({@code "include"}, {@code "exclude"})
         * @param name the PML name
         * @throws IllegalArgumentException for an unknown name, listing the known ones
         */
        public static Metric fromName(String argument, String name) {
            for (Metric m : values()) {
                if (m.pmlName.equals(name)) {
                    return m;
                }
            }
            String known = Arrays.stream(values()).map(Metric::pmlName).collect(Collectors.joining(", "));
            String hint = name != null && (name.toUpperCase(Locale.ROOT).equals("AMI")
                    || name.toUpperCase(Locale.ROOT).equals("NMI"))
                    ? " (clustering metrics are org.metric4j.eval.Clustering's)" : "";
            throw new IllegalArgumentException(argument + " must name metrics among " + known + ", got '" + name
                    + "'" + hint);
        }
    }

    /** How the per-query values become one number (PML's {@code avg_of_avgs}). */
    public enum Averaging {
        /** The mean over the queries (PML's default). */
        PER_QUERY,
        /** The mean over each query label first, then the mean of the class means ({@code avg_of_avgs=True}). */
        PER_CLASS
    }

    /**
     * The options of pytorch-metric-learning's {@code AccuracyCalculator}, with its defaults:
     * k = "max_bin_count", {@link Averaging#PER_QUERY}, Recall@K at {@link #DEFAULT_RECALL_KS}.
     */
    public static final class Options {
        private static final int MAX_BIN_COUNT = 0;
        private static final int ALL_REFERENCES = -1;

        private final int k;
        private final Averaging averaging;
        private final int[] recallKs;
        private final Set<Metric> metrics;

        private Options(Builder b) {
            this.k = b.k;
            this.averaging = b.averaging;
            this.recallKs = b.recallKs.clone();
            EnumSet<Metric> chosen = b.include.isEmpty() ? EnumSet.allOf(Metric.class) : EnumSet.copyOf(b.include);
            chosen.removeAll(b.exclude);
            this.metrics = Collections.unmodifiableSet(chosen);
        }

        /** A builder with PML's defaults. */
        public static Builder builder() {
            return new Builder();
        }

        /** PML's defaults. */
        public static Options defaults() {
            return builder().build();
        }

        /** The averaging. */
        public Averaging averaging() {
            return averaging;
        }

        /** The metrics computed: {@code include} (all if none), less {@code exclude}. */
        public Set<Metric> metrics() {
            return metrics;
        }

        /** The k the metrics see, for references with {@code maxBinCount} and {@code available} rows. */
        int resolveK(int maxBinCount, int available) {
            if (k == MAX_BIN_COUNT) {
                return maxBinCount;
            }
            if (k == ALL_REFERENCES) {
                return available;
            }
            if (k > available) {
                throw new IllegalArgumentException("k must be at most the reference set size " + available
                        + " (the query itself left out with ref_includes_query), got " + k);
            }
            return k;
        }

        @Override
        public String toString() {
            String kText = k == MAX_BIN_COUNT ? "max_bin_count" : k == ALL_REFERENCES ? "all" : String.valueOf(k);
            return "RetrievalMetrics.Options(k=" + kText + ", averaging=" + averaging + ", recallKs="
                    + Arrays.toString(recallKs) + (metrics.size() == Metric.values().length ? ""
                            : ", metrics=" + metrics.stream().map(Metric::pmlName).toList()) + ")";
        }

        /** Builder of {@link Options}. */
        public static final class Builder {
            private int k = MAX_BIN_COUNT;
            private Averaging averaging = Averaging.PER_QUERY;
            private int[] recallKs = DEFAULT_RECALL_KS;
            private EnumSet<Metric> include = EnumSet.noneOf(Metric.class);
            private EnumSet<Metric> exclude = EnumSet.noneOf(Metric.class);

            private Builder() {}

            /**
             * Computes only these metrics, PML names (PML's {@code include}; default none given:
             * every metric). Replaces an earlier call.
             *
             * @throws IllegalArgumentException for an unknown name, listing the known ones
             */
            public Builder optInclude(String... names) {
                this.include = parse("include", names);
                return this;
            }

            /**
             * Leaves these metrics out, PML names (PML's {@code exclude}; default none): they are
             * neither computed nor reported. Replaces an earlier call.
             *
             * @throws IllegalArgumentException for an unknown name, listing the known ones
             */
            public Builder optExclude(String... names) {
                this.exclude = parse("exclude", names);
                return this;
            }

            private static EnumSet<Metric> parse(String argument, String[] names) {
                if (names == null) {
                    throw new IllegalArgumentException(argument + " must be metric names, got null");
                }
                EnumSet<Metric> out = EnumSet.noneOf(Metric.class);
                for (String n : names) {
                    out.add(Metric.fromName(argument, n));
                }
                return out;
            }

            /** A fixed number k of neighbours, {@code >= 1} (PML's integer {@code k}; default "max_bin_count"). */
            public Builder optK(int k) {
                Inputs.atLeast("k", k, 1);
                this.k = k;
                return this;
            }

            /** Every reference is ranked (PML's {@code k=None}): MAP is then the plain MAP of the full ranking. */
            public Builder optAllReferences() {
                this.k = ALL_REFERENCES;
                return this;
            }

            /** k = the largest number of references sharing a query label (PML's "max_bin_count", the default). */
            public Builder optMaxBinCount() {
                this.k = MAX_BIN_COUNT;
                return this;
            }

            /** How per-query values are averaged (default {@link Averaging#PER_QUERY}). */
            public Builder optAveraging(Averaging averaging) {
                this.averaging = Objects.requireNonNull(averaging, "averaging");
                return this;
            }

            /** The Recall@K values, each {@code >= 1} (default {@link #DEFAULT_RECALL_KS}). */
            public Builder optRecallKs(int... recallKs) {
                if (recallKs.length == 0) {
                    throw new IllegalArgumentException("recallKs must not be empty, got []");
                }
                for (int r : recallKs) {
                    Inputs.atLeast("recall K", r, 1);
                }
                this.recallKs = recallKs.clone();
                return this;
            }

            /** The options. */
            public Options build() {
                return new Options(this);
            }
        }
    }

    /**
     * The metrics with PML's {@code AccuracyCalculator} options ({@code get_accuracy(query,
     * query_labels, reference, reference_labels, ref_includes_query)}).
     *
     * @param queries Q x D
     * @param queryLabels Q labels
     * @param references M x D
     * @param referenceLabels M labels
     * @param neighbours {@link Neighbours#EXCLUDE_SELF}: the queries are the first Q references
     *     (PML's {@code ref_includes_query=True}; Q = M is leave-one-out) and each query's own row
     *     is left out; {@link Neighbours#INCLUDE_SELF}: a separate reference set
     * @param options k, averaging and Recall@K
     * @param search the exact k-NN search
     * @return the report; with {@link Averaging#PER_CLASS} each value is the mean of the class
     *     means, over the query labels that have a reference
     */
    public static Report evaluate(NDArray queries, long[] queryLabels, NDArray references,
            long[] referenceLabels, Neighbours neighbours, Options options, KnnSearch search) {
        Map<Long, Sums> classes = perClassSums(queries, queryLabels, references, referenceLabels, neighbours,
                options, search);
        Sums total = null;
        for (Sums s : classes.values()) {
            total = total == null ? s : total.merge(s);
        }
        if (options.averaging == Averaging.PER_QUERY) {
            return total.report();
        }
        return classMean(classes, total);
    }

    /**
     * The metrics per query label (PML's {@code return_per_class=True}), in label order; labels
     * without a reference (every query skipped) are left out.
     *
     * @return label to the report of that label's queries
     * @see #evaluate
     */
    public static Map<Long, Report> perClass(NDArray queries, long[] queryLabels, NDArray references,
            long[] referenceLabels, Neighbours neighbours, Options options, KnnSearch search) {
        Map<Long, Sums> classes = perClassSums(queries, queryLabels, references, referenceLabels, neighbours,
                options, search);
        Map<Long, Report> out = new LinkedHashMap<>();
        classes.forEach((label, s) -> {
            Report r = s.report();
            if (r.queries() > 0) {
                out.put(label, r);
            }
        });
        return out;
    }

    private static Report classMean(Map<Long, Sums> classes, Sums total) {
        Report all = total.report();
        int n = 0;
        double p1 = 0;
        double rp = 0;
        double mapR = 0;
        double map = 0;
        double mrr = 0;
        Map<Integer, Double> recall = new LinkedHashMap<>();
        all.recallAtK().keySet().forEach(key -> recall.put(key, 0.0));
        for (Sums s : classes.values()) {
            Report r = s.report();
            if (r.queries() == 0) {
                continue;
            }
            n++;
            p1 += r.precisionAt1();
            rp += r.rPrecision();
            mapR += r.meanAveragePrecisionAtR();
            map += r.meanAveragePrecision();
            mrr += r.meanReciprocalRank();
            r.recallAtK().forEach((key, v) -> recall.merge(key, v, Double::sum));
        }
        int d = Math.max(1, n);
        recall.replaceAll((key, v) -> v / d);
        return new Report(p1 / d, rp / d, mapR / d, map / d, mrr / d, recall, all.k(), all.queries(),
                all.skippedQueries(), all.computed());
    }

    private static Map<Long, Sums> perClassSums(NDArray queries, long[] queryLabels, NDArray references,
            long[] referenceLabels, Neighbours neighbours, Options options, KnnSearch search) {
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(search, "search");
        boolean self = Objects.requireNonNull(neighbours, "neighbours").excludesSelf();
        checkLength(queries, queryLabels, "queryLabels");
        checkLength(references, referenceLabels, "referenceLabels");
        int q = queryLabels.length;
        int m = referenceLabels.length;
        if (self) {
            if (q > m) {
                throw new IllegalArgumentException("with EXCLUDE_SELF the queries must be the first rows of the "
                        + "references, got " + q + " queries and " + m + " references");
            }
            for (int i = 0; i < q; i++) {
                if (queryLabels[i] != referenceLabels[i]) {
                    throw new IllegalArgumentException("with EXCLUDE_SELF query " + i + " must be reference " + i
                            + ", got labels " + queryLabels[i] + " and " + referenceLabels[i]);
                }
            }
        }
        Map<Long, Integer> counts = new HashMap<>();
        for (long l : referenceLabels) {
            counts.merge(l, 1, Integer::sum);
        }
        int maxBin = 0;
        for (long l : queryLabels) {
            maxBin = Math.max(maxBin, counts.getOrDefault(l, 0));
        }
        int available = m - (self ? 1 : 0);
        Set<Metric> metrics = options.metrics;
        boolean needK = metrics.stream().anyMatch(Metric::readsK);
        boolean needRecall = metrics.contains(Metric.RECALL_AT_K);
        int k = Math.max(1, needK ? options.resolveK(maxBin - (self ? 1 : 0), available)
                : Math.min(options.resolveK(maxBin - (self ? 1 : 0), Integer.MAX_VALUE), Math.max(available, 1)));
        int maxRecall = Arrays.stream(options.recallKs).max().orElse(1);
        if (needRecall && maxRecall > available) {
            throw new IllegalArgumentException(
                    "recall K must be at most the reference set size " + available + ", got " + maxRecall);
        }
        int wanted = Math.max(needK ? k : 0, Math.max(needRecall ? maxRecall : 0,
                metrics.contains(Metric.PRECISION_AT_1) ? 1 : 0));
        int depth = Math.min(wanted, Math.max(available, 1));
        long[][] nn = depth == 0 ? new long[q][0] : neighbours(queries, references, depth, self, search);
        Map<Long, Sums> classes = new TreeMap<>();
        for (int i = 0; i < q; i++) {
            long[] nbLabels = new long[nn[i].length];
            for (int j = 0; j < nbLabels.length; j++) {
                nbLabels[j] = referenceLabels[(int) nn[i][j]];
            }
            int r = counts.getOrDefault(queryLabels[i], 0) - (self ? 1 : 0);
            classes.computeIfAbsent(queryLabels[i], l -> new Sums(k, metrics, options.recallKs)).add(queryLabels[i],
                    r, nbLabels);
        }
        return classes;
    }

    /** The {@code depth} nearest references of each query, its own row left out when {@code self}. */
    private static long[][] neighbours(NDArray queries, NDArray references, int depth, boolean self,
            KnnSearch search) {
        long q = queries.getShape().get(0);
        long m = references.getShape().get(0);
        if (!self || q == m) {
            return search.search(queries, references, depth, self ? Neighbours.EXCLUDE_SELF : Neighbours.INCLUDE_SELF)
                    .indices();
        }
        // the queries are a prefix of the references: one more neighbour, then drop the query's
        // own row (or the last one when the row is not among them), as PML's return_results
        long[][] found = search.search(queries, references, depth + 1, Neighbours.INCLUDE_SELF).indices();
        long[][] out = new long[(int) q][];
        for (int i = 0; i < q; i++) {
            long[] row = new long[depth];
            int j = 0;
            for (long id : found[i]) {
                if (id != i && j < depth) {
                    row[j++] = id;
                }
            }
            out[i] = row;
        }
        return out;
    }

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
            Inputs.atLeast("recall K", r, 1);
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
        private final EnumSet<Metric> metrics;
        private final boolean readsK;
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
            this(k, EnumSet.allOf(Metric.class), recallKs);
        }

        /**
         * Empty sums of some metrics only.
         *
         * @param k the k of the metrics that read k neighbours
         * @param metrics the metrics computed (the others read NaN in the report)
         * @param recallKs the Recall@K values (empty: {@link #DEFAULT_RECALL_KS})
         */
        public Sums(int k, Set<Metric> metrics, int... recallKs) {
            this.k = k;
            this.recallKs = (recallKs.length == 0 ? DEFAULT_RECALL_KS : recallKs).clone();
            this.recall = new double[this.recallKs.length];
            if (metrics == null) {
                throw new IllegalArgumentException("metrics must be a set of RetrievalMetrics.Metric, got null");
            }
            this.metrics = metrics.isEmpty() ? EnumSet.noneOf(Metric.class) : EnumSet.copyOf(metrics);
            this.readsK = this.metrics.stream().anyMatch(Metric::readsK);
        }

        /**
         * Adds one query.
         *
         * @param queryLabel the query's label
         * @param r the references sharing the label (the query itself not counted); a query with
         *     {@code r <= 0} is counted as skipped
         * @param neighbourLabels the labels of its nearest references, best first, at least
         *     max(k, largest K) long (as long as the computed metrics read)
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
            if (metrics.contains(Metric.PRECISION_AT_1)) {
                p1 += rel[0] ? 1 : 0;
            }
            if (readsK) {
                addWithinK(rel, r);
            }
            if (metrics.contains(Metric.RECALL_AT_K)) {
                for (int t = 0; t < recallKs.length; t++) {
                    for (int j = 0; j < recallKs[t]; j++) {
                        if (rel[j]) {
                            recall[t]++;
                            break;
                        }
                    }
                }
            }
        }

        private void addWithinK(boolean[] rel, int r) {
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
            // PML divides by the relevant slots within k: min(k, R) (R when k = max_bin_count)
            rp += hits / (double) Math.max(1, Math.min(k, r));
            mapR += sumPrecisionR / r;
            map += sumPrecisionK / r;
            mrr += firstHit < 0 ? 0 : 1.0 / (firstHit + 1);
        }

        /** These sums plus {@code other}'s (same k and Ks), as new sums. */
        public Sums merge(Sums other) {
            if (other.k != k || !java.util.Arrays.equals(other.recallKs, recallKs) || !other.metrics.equals(metrics)) {
                throw new IllegalArgumentException("cannot merge sums of k=" + other.k + ", Ks="
                        + java.util.Arrays.toString(other.recallKs) + ", metrics=" + other.metrics + " into k=" + k
                        + ", Ks=" + java.util.Arrays.toString(recallKs) + ", metrics=" + metrics);
            }
            Sums s = new Sums(k, metrics, recallKs);
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
            for (int t = 0; metrics.contains(Metric.RECALL_AT_K) && t < recallKs.length; t++) {
                recallAtK.put(recallKs[t], recall[t] / n);
            }
            return new Report(of(Metric.PRECISION_AT_1, p1 / n), of(Metric.R_PRECISION, rp / n),
                    of(Metric.MEAN_AVERAGE_PRECISION_AT_R, mapR / n), of(Metric.MEAN_AVERAGE_PRECISION, map / n),
                    of(Metric.MEAN_RECIPROCAL_RANK, mrr / n), recallAtK, k, used, skipped, metrics);
        }

        private double of(Metric m, double value) {
            return metrics.contains(m) ? value : Double.NaN;
        }
    }
}
