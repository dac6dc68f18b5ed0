package org.metric4j.spark;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.Serializable;

/**
 * A contiguous range of rows of an embedding set, the content of one partition of
 * {@link EmbeddingRows}: rows {@code [start, start + rows)} with their labels and names (either
 * may be null). Values are kept in float32 when the source is float32 (the embedding job's
 * Parquet, a {@code <f4} .npy), in float64 otherwise; either way they are searched in float64.
 */
final class RowBlock implements Serializable {
    private static final long serialVersionUID = 1L;

    final long start;
    final int rows;
    final int dim;
    private final float[] f32;
    private final double[] f64;
    final long[] labels;
    final String[] names;

    private RowBlock(long start, int rows, int dim, float[] f32, double[] f64, long[] labels, String[] names) {
        this.start = start;
        this.rows = rows;
        this.dim = dim;
        this.f32 = f32;
        this.f64 = f64;
        this.labels = labels;
        this.names = names;
    }

    /** Float64 rows. */
    static RowBlock ofDoubles(long start, int rows, int dim, double[] values, long[] labels, String[] names) {
        return new RowBlock(start, rows, dim, null, values, labels, names);
    }

    /** Float32 rows. */
    static RowBlock ofFloats(long start, int rows, int dim, float[] values, long[] labels, String[] names) {
        return new RowBlock(start, rows, dim, values, null, labels, names);
    }

    /** Value j of row r (local row index). */
    double value(int r, int j) {
        return f32 != null ? f32[r * dim + j] : f64[r * dim + j];
    }

    /** Row r (local) as doubles. */
    double[] row(int r) {
        double[] out = new double[dim];
        for (int j = 0; j < dim; j++) {
            out[j] = value(r, j);
        }
        return out;
    }

    /** The rows as a float64 rows x dim array of {@code m}. */
    NDArray toArray(NDManager m) {
        if (f32 != null) {
            return m.create(f32, new Shape(rows, dim)).toType(DataType.FLOAT64, false);
        }
        return m.create(f64, new Shape(rows, dim));
    }

    /** The part of this block inside global rows {@code [from, to)}, or null when none is. */
    RowBlock slice(long from, long to) {
        long s = Math.max(from, start);
        long e = Math.min(to, start + rows);
        if (s >= e) {
            return null;
        }
        int a = (int) (s - start);
        int b = (int) (e - start);
        double[] v = new double[(b - a) * dim];
        for (int r = a; r < b; r++) {
            for (int j = 0; j < dim; j++) {
                v[(r - a) * dim + j] = value(r, j);
            }
        }
        return ofDoubles(s, b - a, dim, v, labels == null ? null : java.util.Arrays.copyOfRange(labels, a, b),
                names == null ? null : java.util.Arrays.copyOfRange(names, a, b));
    }

    /** Blocks of consecutive rows concatenated (they must be in order and contiguous). */
    static RowBlock concat(java.util.List<RowBlock> parts) {
        parts = new java.util.ArrayList<>(parts);
        parts.sort(java.util.Comparator.comparingLong(p -> p.start));
        int total = 0;
        for (RowBlock p : parts) {
            total += p.rows;
        }
        if (parts.isEmpty()) {
            throw new IllegalArgumentException("no rows");
        }
        int d = parts.get(0).dim;
        double[] v = new double[total * d];
        long[] y = parts.get(0).labels == null ? null : new long[total];
        String[] n = parts.get(0).names == null ? null : new String[total];
        int at = 0;
        long expect = parts.get(0).start;
        for (RowBlock p : parts) {
            if (p.start != expect) {
                throw new IllegalStateException("rows " + expect + " to " + p.start + " are missing");
            }
            for (int r = 0; r < p.rows; r++) {
                for (int j = 0; j < d; j++) {
                    v[(at + r) * d + j] = p.value(r, j);
                }
            }
            if (y != null) {
                System.arraycopy(p.labels, 0, y, at, p.rows);
            }
            if (n != null) {
                System.arraycopy(p.names, 0, n, at, p.rows);
            }
            at += p.rows;
            expect += p.rows;
        }
        return ofDoubles(parts.get(0).start, total, d, v, y, n);
    }

    /** The in-heap bytes of the values. */
    long valueBytes() {
        return f32 != null ? 4L * f32.length : 8L * f64.length;
    }
}
