package org.metric4j.eval;

import java.util.HashMap;
import java.util.Map;

/**
 * Embeddings (N x D) with integer labels and optional item names, the input of every protocol of
 * this package. {@link org.metric4j.io.EmbeddingFiles} reads and writes them as NumPy .npy or
 * CSV files, so that embeddings from any model, Python included, can be evaluated.
 */
public final class EmbeddingSet {

    private final double[] values;
    private final int rows;
    private final int dim;
    private final long[] labels;
    private final String[] names;

    /**
     * A set.
     *
     * @param values N x D values, row-major
     * @param rows N
     * @param dim D
     * @param labels N labels (or null)
     * @param names N names (or null)
     */
    public EmbeddingSet(double[] values, int rows, int dim, long[] labels, String[] names) {
        if (rows < 0 || dim < 1 || values.length != (long) rows * dim) {
            throw new IllegalArgumentException(
                    "values must hold rows x dim = " + rows + " x " + dim + " entries, got " + values.length);
        }
        if (labels != null && labels.length != rows) {
            throw new IllegalArgumentException(
                    "labels must have one entry per embedding (" + rows + "), got " + labels.length);
        }
        if (names != null && names.length != rows) {
            throw new IllegalArgumentException(
                    "names must have one entry per embedding (" + rows + "), got " + names.length);
        }
        for (int i = 0; i < values.length; i++) {
            if (Double.isNaN(values[i])) {
                throw new IllegalArgumentException(
                        "embeddings contain NaN at row " + (i / dim) + ", column " + (i % dim));
            }
        }
        this.values = values;
        this.rows = rows;
        this.dim = dim;
        this.labels = labels;
        this.names = names;
    }

    /** The same embeddings with item names (one per row). */
    public EmbeddingSet withNames(String[] itemNames) {
        return new EmbeddingSet(values, rows, dim, labels, itemNames.clone());
    }

    /** The same embeddings with labels (one per row). */
    public EmbeddingSet withLabels(long[] itemLabels) {
        return new EmbeddingSet(values, rows, dim, itemLabels.clone(), names);
    }

    /** N. */
    public int size() {
        return rows;
    }

    /** D. */
    public int dim() {
        return dim;
    }

    /** The values, row-major (a copy). */
    public double[] values() {
        return values.clone();
    }

    /** The values as float32, row-major. */
    public float[] floats() {
        float[] f = new float[values.length];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) values[i];
        }
        return f;
    }

    /** The labels, or null. */
    public long[] labels() {
        return labels == null ? null : labels.clone();
    }

    /** The names, or null. */
    public String[] names() {
        return names == null ? null : names.clone();
    }

    /** Row index of each name (names must be present and unique). */
    public Map<String, Integer> nameIndex() {
        if (names == null) {
            throw new IllegalStateException("this embedding set has no item names");
        }
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < names.length; i++) {
            if (index.put(names[i], i) != null) {
                throw new IllegalArgumentException("item name '" + names[i] + "' appears twice");
            }
        }
        return index;
    }

    /** Cosine similarity of rows i and j. */
    public double cosine(int i, int j) {
        return cosine(values, dim, i, j);
    }

    /**
     * Cosine similarity of rows i and j of a row-major N x dim array (the norms' product floored
     * at 1e-12), the score of the verification protocols wherever the rows live.
     */
    public static double cosine(double[] values, int dim, int i, int j) {
        double dot = 0;
        double ni = 0;
        double nj = 0;
        for (int k = 0; k < dim; k++) {
            double a = values[i * dim + k];
            double b = values[j * dim + k];
            dot += a * b;
            ni += a * a;
            nj += b * b;
        }
        return dot / Math.max(Math.sqrt(ni) * Math.sqrt(nj), 1e-12);
    }

    /** L2 distance of rows i and j. */
    public double l2(int i, int j) {
        double s = 0;
        for (int k = 0; k < dim; k++) {
            double d = values[i * dim + k] - values[j * dim + k];
            s += d * d;
        }
        return Math.sqrt(s);
    }
}
