package org.metric4j.eval;

import java.util.Arrays;

/**
 * The two geometric quantities of the angular-margin papers (SphereFace, Liu et al. 2017, Table
 * 2; ArcFace, Deng et al. 2019, section 4.1), on labelled embeddings:
 *
 * <ul>
 *   <li>intra-class compactness: the mean angle between a unit feature {@code x_i / |x_i|} and
 *       its class's mean direction {@code mu_c = normalize(sum_{i in c} x_i / |x_i|)};</li>
 *   <li>inter-class separation: the smallest angle between two class mean directions.</li>
 * </ul>
 *
 * Angles are in degrees, {@code acos} of cosines clamped to [-1, 1]. A class whose unit features
 * cancel (their sum shorter than {@value #CANCELLED} per item, rounding) has no direction: its
 * items count 90 degrees and it is left out of the separation.
 */
public final class ClassAngles {

    /** Below this length per item, the sum of a class's unit features has no direction. */
    public static final double CANCELLED = 1e-9;

    /**
     * The result.
     *
     * @param intraDegrees mean angle to the own class direction, over all items
     * @param interDegrees smallest angle between two class directions
     * @param meanInterDegrees mean angle between two class directions
     * @param classes classes with at least one item
     */
    public record Report(double intraDegrees, double interDegrees, double meanInterDegrees, int classes) {

        /** {@code intraDegrees / interDegrees}: lower is more discriminative. */
        public double ratio() {
            return intraDegrees / interDegrees;
        }
    }

    private ClassAngles() {}

    /**
     * The angles of a labelled set.
     *
     * @param set embeddings with labels, at least two classes
     * @return the report
     */
    public static Report of(EmbeddingSet set) {
        long[] labels = set.labels();
        if (labels == null) {
            throw new IllegalArgumentException("class angles need labels");
        }
        long[] classes = Arrays.stream(labels).distinct().sorted().toArray();
        if (classes.length < 2) {
            throw new IllegalArgumentException("class angles need at least 2 classes, got " + classes.length);
        }
        int d = set.dim();
        int n = set.size();
        double[] v = set.values();
        double[][] mean = new double[classes.length][d];
        int[] cls = new int[n];
        int[] count = new int[classes.length];
        for (int i = 0; i < n; i++) {
            cls[i] = Arrays.binarySearch(classes, labels[i]);
            count[cls[i]]++;
            double norm = norm(v, i * d, d);
            for (int j = 0; j < d; j++) {
                mean[cls[i]][j] += norm > 0 ? v[i * d + j] / norm : 0;
            }
        }
        boolean[] hasDirection = new boolean[classes.length];
        for (int c = 0; c < classes.length; c++) {
            double norm = norm(mean[c], 0, d);
            hasDirection[c] = norm > CANCELLED * count[c];
            for (int j = 0; j < d; j++) {
                mean[c][j] = hasDirection[c] ? mean[c][j] / norm : 0;
            }
        }
        double intra = 0;
        for (int i = 0; i < n; i++) {
            double norm = norm(v, i * d, d);
            double dot = 0;
            for (int j = 0; j < d; j++) {
                dot += mean[cls[i]][j] * v[i * d + j];
            }
            intra += degrees(norm > 0 ? dot / norm : 0);
        }
        double min = Double.POSITIVE_INFINITY;
        double sum = 0;
        int pairs = 0;
        for (int a = 0; a < classes.length; a++) {
            for (int b = a + 1; b < classes.length; b++) {
                if (hasDirection[a] && hasDirection[b]) {
                    double dot = 0;
                    for (int j = 0; j < d; j++) {
                        dot += mean[a][j] * mean[b][j];
                    }
                    double angle = degrees(dot);
                    min = Math.min(min, angle);
                    sum += angle;
                    pairs++;
                }
            }
        }
        return new Report(intra / n, pairs > 0 ? min : Double.NaN, pairs > 0 ? sum / pairs : Double.NaN,
                classes.length);
    }

    private static double degrees(double cos) {
        return Math.toDegrees(Math.acos(Math.max(-1, Math.min(1, cos))));
    }

    private static double norm(double[] v, int offset, int d) {
        double s = 0;
        for (int j = 0; j < d; j++) {
            s += v[offset + j] * v[offset + j];
        }
        return Math.sqrt(s);
    }
}
