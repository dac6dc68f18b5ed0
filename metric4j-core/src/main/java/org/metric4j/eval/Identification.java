package org.metric4j.eval;

import ai.djl.ndarray.NDArray;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Identification (1:N) of probes against a gallery with one or more templates per identity. An
 * identity's score for a probe is its best template's similarity, and identities are ranked by
 * it.
 *
 * <ul>
 *   <li>Closed set, CMC: the fraction of probes whose identity is among the r best, r = 1..R.
 *   <li>Open set (MegaFace / IJB): probes whose identity is not enrolled (non-mated) set the
 *       threshold t at a false positive identification rate: at most FPIR x N_nonmated of them
 *       have a best score above t. DIR at that FPIR is the fraction of mated probes whose
 *       identity is ranked first with a score above t.
 * </ul>
 */
public final class Identification {

    private Identification() {}

    /**
     * The report.
     *
     * @param cmc cmc[r - 1] = identification rate at rank r
     * @param dirAtFpir DIR at each requested FPIR (empty without non-mated probes)
     * @param thresholds the threshold of each FPIR
     * @param matedProbes probes whose identity is enrolled
     * @param nonMatedProbes probes whose identity is not
     */
    public record Report(double[] cmc, Map<Double, Double> dirAtFpir, Map<Double, Double> thresholds,
            int matedProbes, int nonMatedProbes) {}

    /**
     * Evaluates probes against a gallery.
     *
     * @param probes P x D probe embeddings
     * @param probeLabels P identities
     * @param gallery G x D template embeddings
     * @param galleryLabels G identities (repeated for several templates)
     * @param maxRank the largest rank of the CMC (at most the number of gallery identities)
     * @param fpirs the false positive identification rates for DIR, each in (0, 1)
     * @param search the neighbour search (cosine by default)
     * @return the report
     */
    public static Report evaluate(NDArray probes, long[] probeLabels, NDArray gallery, long[] galleryLabels,
            int maxRank, double[] fpirs, KnnSearch search) {
        if (probes.getShape().get(0) != probeLabels.length) {
            throw new IllegalArgumentException("probeLabels must have one entry per probe ("
                    + probes.getShape().get(0) + "), got " + probeLabels.length);
        }
        if (gallery.getShape().get(0) != galleryLabels.length) {
            throw new IllegalArgumentException("galleryLabels must have one entry per template ("
                    + gallery.getShape().get(0) + "), got " + galleryLabels.length);
        }
        int depth = searchDepth(galleryLabels, maxRank, fpirs);
        KnnSearch.Result nn = search.search(probes, gallery, depth, Neighbours.INCLUDE_SELF);
        return fromNeighbours(nn, search.metric(), probeLabels, galleryLabels, maxRank, fpirs);
    }

    /**
     * How many nearest templates a probe needs for a CMC up to {@code maxRank}: enough to see
     * {@code maxRank} distinct identities when every identity has the most templates.
     *
     * @param galleryLabels G identities (repeated for several templates)
     * @param maxRank the largest rank of the CMC
     * @param fpirs the FPIRs (checked here)
     * @return the search depth k
     */
    public static int searchDepth(long[] galleryLabels, int maxRank, double[] fpirs) {
        Map<Long, Integer> templates = new HashMap<>();
        int mostTemplates = 0;
        for (long g : galleryLabels) {
            mostTemplates = Math.max(mostTemplates, templates.merge(g, 1, Integer::sum));
        }
        int identities = templates.size();
        if (maxRank < 1 || maxRank > identities) {
            throw new IllegalArgumentException(
                    "maxRank must be in [1, " + identities + "] (gallery identities), got " + maxRank);
        }
        for (double f : fpirs) {
            if (!(f > 0 && f < 1)) {
                throw new IllegalArgumentException("every FPIR must be in (0, 1), got " + f);
            }
        }
        return (int) Math.min(galleryLabels.length, (long) maxRank * mostTemplates);
    }

    /**
     * The report from each probe's nearest gallery templates, however they were found (the
     * exact {@link KnnSearch}, or an approximate index such as Lucene's HNSW).
     *
     * @param nn per probe, gallery indices and scores, best first, at least {@link #searchDepth}
     *     of them for an exact CMC
     * @param metric the metric of the scores: {@link KnnSearch.Metric#L2} for distances (smaller is
     *     better), {@code COSINE} or {@code DOT} for similarities
     * @param probeLabels P identities
     * @param galleryLabels G identities
     * @param maxRank the largest rank of the CMC
     * @param fpirs the false positive identification rates for DIR, each in (0, 1)
     * @return the report
     */
    public static Report fromNeighbours(KnnSearch.Result nn, KnnSearch.Metric metric, long[] probeLabels,
            long[] galleryLabels, int maxRank, double[] fpirs) {
        boolean distance = Objects.requireNonNull(metric, "metric") == KnnSearch.Metric.L2;
        searchDepth(galleryLabels, maxRank, fpirs);
        if (nn.indices().length != probeLabels.length) {
            throw new IllegalArgumentException("the neighbours must have one row per probe (" + probeLabels.length
                    + "), got " + nn.indices().length);
        }
        Map<Long, Integer> templates = new HashMap<>();
        for (long g : galleryLabels) {
            templates.merge(g, 1, Integer::sum);
        }
        int[] hitsAtRank = new int[maxRank];
        int mated = 0;
        int nonMated = 0;
        double[] matedTop = new double[probeLabels.length];
        boolean[] matedFirst = new boolean[probeLabels.length];
        double[] nonMatedTop = new double[probeLabels.length];
        for (int i = 0; i < probeLabels.length; i++) {
            long[] idx = nn.indices()[i];
            double[] sc = nn.scores()[i];
            double top = sc.length == 0 ? Double.NEGATIVE_INFINITY : distance ? -sc[0] : sc[0];
            if (!templates.containsKey(probeLabels[i])) {
                nonMatedTop[nonMated++] = top;
                continue;
            }
            int rank = 0;
            java.util.Set<Long> seen = new java.util.HashSet<>();
            int found = -1;
            for (int j = 0; j < idx.length && rank < maxRank; j++) {
                long id = galleryLabels[(int) idx[j]];
                if (seen.add(id)) {
                    if (id == probeLabels[i]) {
                        found = rank;
                        break;
                    }
                    rank++;
                }
            }
            if (found >= 0) {
                hitsAtRank[found]++;
            }
            matedTop[mated] = top;
            matedFirst[mated] = found == 0;
            mated++;
        }
        double[] cmc = new double[maxRank];
        int cumulative = 0;
        for (int r = 0; r < maxRank; r++) {
            cumulative += hitsAtRank[r];
            cmc[r] = mated == 0 ? 0 : cumulative / (double) mated;
        }
        Map<Double, Double> dir = new LinkedHashMap<>();
        Map<Double, Double> thresholds = new LinkedHashMap<>();
        if (nonMated > 0 && mated > 0) {
            double[] sorted = Arrays.copyOf(nonMatedTop, nonMated);
            Arrays.sort(sorted);
            for (double f : fpirs) {
                int allowed = (int) Math.floor(f * nonMated);
                double t = allowed >= nonMated ? Double.NEGATIVE_INFINITY : sorted[nonMated - 1 - allowed];
                int hits = 0;
                for (int i = 0; i < mated; i++) {
                    hits += matedFirst[i] && matedTop[i] > t ? 1 : 0;
                }
                dir.put(f, hits / (double) mated);
                thresholds.put(f, t);
            }
        }
        return new Report(cmc, dir, thresholds, mated, nonMated);
    }
}
