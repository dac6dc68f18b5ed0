package org.metric4j.eval;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;

/**
 * Clustering quality of embeddings: k-means++ (Arthur and Vassilvitskii 2007) seeded for
 * reproducibility, then normalized and adjusted mutual information (NMI, AMI) of the clusters
 * against the labels, with scikit-learn's definitions (arithmetic-mean normalization; AMI with
 * the expected mutual information under the hypergeometric model).
 */
public final class Clustering {

    private Clustering() {}

    /**
     * The report.
     *
     * @param assignments cluster of each item
     * @param nmi normalized mutual information
     * @param ami adjusted mutual information
     * @param iterations Lloyd iterations run
     */
    public record Report(int[] assignments, double nmi, double ami, int iterations) {}

    /**
     * Clusters rows of {@code values} (N x D, row-major; normalize first for cosine geometry)
     * into as many clusters as there are labels, and scores them.
     */
    public static Report evaluate(double[] values, int rows, int dim, long[] labels, long seed, int maxIterations) {
        if (labels.length != rows) {
            throw new IllegalArgumentException(
                    "labels must have one entry per embedding (" + rows + "), got " + labels.length);
        }
        int k = (int) java.util.Arrays.stream(labels).distinct().count();
        KMeans km = kMeans(values, rows, dim, k, seed, maxIterations);
        int[] truth = compact(labels);
        return new Report(km.assignments(), nmi(truth, km.assignments()), ami(truth, km.assignments()),
                km.iterations());
    }

    /**
     * A k-means result.
     *
     * @param assignments cluster of each row
     * @param iterations Lloyd iterations run
     */
    public record KMeans(int[] assignments, int iterations) {}

    /** k-means++ seeding then Lloyd iterations until assignments stop changing. */
    public static KMeans kMeans(double[] x, int n, int d, int k, long seed, int maxIterations) {
        if (k < 1 || k > n) {
            throw new IllegalArgumentException("k must be in [1, " + n + "], got " + k);
        }
        Random rnd = new Random(seed);
        double[] centers = new double[k * d];
        int first = rnd.nextInt(n);
        System.arraycopy(x, first * d, centers, 0, d);
        double[] nearest = new double[n];
        for (int i = 0; i < n; i++) {
            nearest[i] = sq(x, i, centers, 0, d);
        }
        for (int c = 1; c < k; c++) {
            double total = 0;
            for (double v : nearest) {
                total += v;
            }
            int pick = n - 1;
            double r = rnd.nextDouble() * total;
            for (int i = 0; i < n; i++) {
                r -= nearest[i];
                if (r <= 0) {
                    pick = i;
                    break;
                }
            }
            System.arraycopy(x, pick * d, centers, c * d, d);
            for (int i = 0; i < n; i++) {
                nearest[i] = Math.min(nearest[i], sq(x, i, centers, c, d));
            }
        }
        int[] assign = new int[n];
        java.util.Arrays.fill(assign, -1);
        int it = 0;
        for (; it < maxIterations; it++) {
            boolean changed = false;
            for (int i = 0; i < n; i++) {
                int best = 0;
                double bestD = Double.POSITIVE_INFINITY;
                for (int c = 0; c < k; c++) {
                    double dd = sq(x, i, centers, c, d);
                    if (dd < bestD) {
                        bestD = dd;
                        best = c;
                    }
                }
                if (assign[i] != best) {
                    assign[i] = best;
                    changed = true;
                }
            }
            if (!changed) {
                break;
            }
            double[] sums = new double[k * d];
            int[] counts = new int[k];
            for (int i = 0; i < n; i++) {
                counts[assign[i]]++;
                for (int j = 0; j < d; j++) {
                    sums[assign[i] * d + j] += x[i * d + j];
                }
            }
            for (int c = 0; c < k; c++) {
                if (counts[c] > 0) {
                    for (int j = 0; j < d; j++) {
                        centers[c * d + j] = sums[c * d + j] / counts[c];
                    }
                }
            }
        }
        return new KMeans(assign, Math.min(it + 1, maxIterations));
    }

    private static double sq(double[] x, int i, double[] c, int j, int d) {
        double s = 0;
        for (int t = 0; t < d; t++) {
            double v = x[i * d + t] - c[j * d + t];
            s += v * v;
        }
        return s;
    }

    private static int[] compact(long[] labels) {
        Map<Long, Integer> ids = new HashMap<>();
        int[] out = new int[labels.length];
        for (int i = 0; i < labels.length; i++) {
            out[i] = ids.computeIfAbsent(labels[i], l -> ids.size());
        }
        return out;
    }

    private static int[][] contingency(int[] a, int[] b) {
        int ra = java.util.Arrays.stream(a).max().orElse(-1) + 1;
        int rb = java.util.Arrays.stream(b).max().orElse(-1) + 1;
        int[][] t = new int[ra][rb];
        for (int i = 0; i < a.length; i++) {
            t[a[i]][b[i]]++;
        }
        return t;
    }

    private static double entropy(int[] counts, int n) {
        double h = 0;
        for (int c : counts) {
            if (c > 0) {
                double p = c / (double) n;
                h -= p * Math.log(p);
            }
        }
        return h;
    }

    private static double mutualInformation(int[][] t, int[] rowSums, int[] colSums, int n) {
        double mi = 0;
        for (int i = 0; i < t.length; i++) {
            for (int j = 0; j < t[i].length; j++) {
                if (t[i][j] > 0) {
                    mi += t[i][j] / (double) n
                            * Math.log((double) n * t[i][j] / ((double) rowSums[i] * colSums[j]));
                }
            }
        }
        return mi;
    }

    /** Normalized mutual information with the arithmetic mean of the entropies (sklearn's default). */
    public static double nmi(int[] truth, int[] pred) {
        int n = truth.length;
        int[][] t = contingency(truth, pred);
        int[] a = rowSums(t);
        int[] b = colSums(t);
        double ha = entropy(a, n);
        double hb = entropy(b, n);
        if (ha == 0 && hb == 0) {
            return 1.0;
        }
        double mi = mutualInformation(t, a, b, n);
        return mi / Math.max((ha + hb) / 2, 1e-300);
    }

    /** Adjusted mutual information, arithmetic mean normalization (sklearn's default). */
    public static double ami(int[] truth, int[] pred) {
        int n = truth.length;
        int[][] t = contingency(truth, pred);
        int[] a = rowSums(t);
        int[] b = colSums(t);
        if ((a.length == 1 && b.length == 1) || (a.length == n && b.length == n)) {
            return 1.0;
        }
        double mi = mutualInformation(t, a, b, n);
        double emi = expectedMutualInformation(a, b, n);
        double normalizer = (entropy(a, n) + entropy(b, n)) / 2;
        double denominator = normalizer - emi;
        double eps = Math.ulp(1.0);
        if (denominator < 0) {
            denominator = Math.min(denominator, -eps);
        } else {
            denominator = Math.max(denominator, eps);
        }
        return (mi - emi) / denominator;
    }

    /** E[MI] under the hypergeometric model of random labelings with the same marginals. */
    static double expectedMutualInformation(int[] a, int[] b, int n) {
        double[] lgamma = new double[n + 2];
        for (int i = 1; i < lgamma.length; i++) {
            lgamma[i] = lgamma[i - 1] + Math.log(i);
        }
        // lgamma[i] = log(i!)
        double emi = 0;
        for (int ai : a) {
            for (int bj : b) {
                int start = Math.max(1, ai + bj - n);
                int end = Math.min(ai, bj);
                for (int nij = start; nij <= end; nij++) {
                    double term1 = nij / (double) n * Math.log((double) n * nij / ((double) ai * bj));
                    double logP = lgamma[ai] + lgamma[bj] + lgamma[n - ai] + lgamma[n - bj]
                            - lgamma[n] - lgamma[nij] - lgamma[ai - nij] - lgamma[bj - nij]
                            - lgamma[n - ai - bj + nij];
                    emi += term1 * Math.exp(logP);
                }
            }
        }
        return emi;
    }

    private static int[] rowSums(int[][] t) {
        int[] s = new int[t.length];
        for (int i = 0; i < t.length; i++) {
            for (int v : t[i]) {
                s[i] += v;
            }
        }
        return s;
    }

    private static int[] colSums(int[][] t) {
        int[] s = new int[t.length == 0 ? 0 : t[0].length];
        for (int[] row : t) {
            for (int j = 0; j < row.length; j++) {
                s[j] += row[j];
            }
        }
        return s;
    }
}
