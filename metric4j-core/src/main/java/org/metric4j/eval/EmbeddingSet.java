package org.metric4j.eval;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Embeddings (N x D) with integer labels and optional item names, read from and written to
 * NumPy .npy files (embeddings; labels as a second .npy) or CSV, so that embeddings from any
 * model, Python included, can be evaluated.
 *
 * <p>CSV layout: a header {@code name,label,e0,e1,...}, then one row per item.
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

    /** Reads embeddings from a .npy file and, if given, labels from another .npy file. */
    public static EmbeddingSet readNpy(Path embeddings, Path labels) throws IOException {
        NpyFormat.Array e;
        try (InputStream in = new BufferedInputStream(Files.newInputStream(embeddings))) {
            e = NpyFormat.read(in, embeddings.toString());
        }
        if (e.shape().length != 2) {
            throw new IllegalArgumentException(
                    embeddings + ": embeddings must be a 2-D array (N x D), got shape " + Arrays.toString(e.shape()));
        }
        long[] y = null;
        if (labels != null) {
            NpyFormat.Array l;
            try (InputStream in = new BufferedInputStream(Files.newInputStream(labels))) {
                l = NpyFormat.read(in, labels.toString());
            }
            if (l.shape().length != 1) {
                throw new IllegalArgumentException(
                        labels + ": labels must be a 1-D array, got shape " + Arrays.toString(l.shape()));
            }
            y = new long[l.values().length];
            for (int i = 0; i < y.length; i++) {
                y[i] = (long) l.values()[i];
                if (y[i] != l.values()[i]) {
                    throw new IllegalArgumentException(
                            labels + ": labels must be integers, got " + l.values()[i] + " at " + i);
                }
            }
        }
        return new EmbeddingSet(e.values(), (int) e.shape()[0], (int) e.shape()[1], y, null);
    }

    /** Writes the embeddings (and labels, when present and a path is given) as .npy files. */
    public void writeNpy(Path embeddings, Path labelsPath, boolean float64) throws IOException {
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(embeddings))) {
            NpyFormat.write(out, values, rows, dim, float64);
        }
        if (labelsPath != null && labels != null) {
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(labelsPath))) {
                NpyFormat.writeLongs(out, labels);
            }
        }
    }

    /** Reads a CSV file with header {@code name,label,e0,...}. */
    public static EmbeddingSet readCsv(Path file) throws IOException {
        List<String> names = new ArrayList<>();
        List<Long> labels = new ArrayList<>();
        List<double[]> rowsList = new ArrayList<>();
        int dim = -1;
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String header = r.readLine();
            if (header == null || !header.startsWith("name,label,")) {
                throw new IllegalArgumentException(
                        file + ": line 1 must be the header 'name,label,e0,e1,...', got " + header);
            }
            dim = header.split(",", -1).length - 2;
            String line;
            int lineNo = 1;
            while ((line = r.readLine()) != null) {
                lineNo++;
                if (line.isBlank()) {
                    continue;
                }
                String[] f = line.split(",", -1);
                if (f.length != dim + 2) {
                    throw new IllegalArgumentException(file + ": line " + lineNo + " has " + f.length
                            + " fields, expected " + (dim + 2) + " (name, label and " + dim + " values)");
                }
                names.add(f[0]);
                try {
                    labels.add(Long.parseLong(f[1].trim()));
                    double[] v = new double[dim];
                    for (int j = 0; j < dim; j++) {
                        v[j] = Double.parseDouble(f[j + 2].trim());
                    }
                    rowsList.add(v);
                } catch (NumberFormatException ex) {
                    throw new IllegalArgumentException(
                            file + ": line " + lineNo + " does not parse: " + ex.getMessage(), ex);
                }
            }
        }
        double[] values = new double[rowsList.size() * dim];
        for (int i = 0; i < rowsList.size(); i++) {
            System.arraycopy(rowsList.get(i), 0, values, i * dim, dim);
        }
        return new EmbeddingSet(values, rowsList.size(), dim,
                labels.stream().mapToLong(Long::longValue).toArray(), names.toArray(new String[0]));
    }

    /** Writes the set as CSV ({@code name,label,e0,...}); missing names are the row numbers. */
    public void writeCsv(Path file) throws IOException {
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            StringBuilder h = new StringBuilder("name,label");
            for (int j = 0; j < dim; j++) {
                h.append(",e").append(j);
            }
            w.write(h.toString());
            w.newLine();
            for (int i = 0; i < rows; i++) {
                StringBuilder sb = new StringBuilder();
                sb.append(names == null ? String.valueOf(i) : names[i]).append(',')
                        .append(labels == null ? -1 : labels[i]);
                for (int j = 0; j < dim; j++) {
                    sb.append(',').append(String.format(Locale.ROOT, "%.9g", values[i * dim + j]));
                }
                w.write(sb.toString());
                w.newLine();
            }
        }
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
