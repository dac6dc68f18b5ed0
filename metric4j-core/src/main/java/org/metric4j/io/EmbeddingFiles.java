package org.metric4j.io;

import ai.djl.ndarray.types.DataType;
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
import java.util.List;
import java.util.Locale;
import org.metric4j.eval.EmbeddingSet;

/**
 * Embedding sets on disk: NumPy .npy files (N x D float32 or float64 embeddings; labels as a
 * second, 1-D integer .npy; names as a text file of one name per line) and CSV files (a header
 * {@code name,label,e0,e1,...}, then one row per item), as Python writes them.
 */
public final class EmbeddingFiles {

    private EmbeddingFiles() {}

    /**
     * The set.
     *
     * @param option the option that named the file (for messages), e.g. {@code --embeddings}
     * @param embeddings a .npy (N x D) or .csv file
     * @param labels a 1-D int .npy of N labels, or null
     * @param names a text file of N names, one per line, or null
     * @return the set
     * @throws IllegalArgumentException naming the option and the file when it is missing, of
     *     another kind, or disagrees in length
     */
    public static EmbeddingSet load(String option, Path embeddings, Path labels, Path names) throws IOException {
        if (!Files.isRegularFile(embeddings)) {
            throw new IllegalArgumentException(option + ": no such file " + embeddings);
        }
        String file = embeddings.getFileName().toString().toLowerCase(Locale.ROOT);
        EmbeddingSet set;
        if (file.endsWith(".csv")) {
            set = readCsv(embeddings);
        } else if (file.endsWith(".npy")) {
            if (labels != null && !Files.isRegularFile(labels)) {
                throw new IllegalArgumentException(option + " labels: no such file " + labels);
            }
            set = readNpy(embeddings, labels);
        } else {
            throw new IllegalArgumentException(option + " must be a .npy or .csv file, got " + embeddings);
        }
        if (names != null) {
            if (!Files.isRegularFile(names)) {
                throw new IllegalArgumentException(option + " names: no such file " + names);
            }
            List<String> lines = Files.readAllLines(names, StandardCharsets.UTF_8).stream()
                    .map(String::trim).filter(l -> !l.isEmpty()).toList();
            if (lines.size() != set.size()) {
                throw new IllegalArgumentException(option + " names: " + names + " has " + lines.size()
                        + " names for " + set.size() + " embeddings");
            }
            set = set.withNames(lines.toArray(new String[0]));
        }
        return set;
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

    /**
     * Writes the embeddings (and the labels, when the set has them and a path is given) as .npy
     * files.
     *
     * @param set the embeddings
     * @param embeddings the N x D .npy file to write
     * @param labelsPath the 1-D int64 .npy file of the labels, or null
     * @param dtype {@link DataType#FLOAT32} or {@link DataType#FLOAT64}
     */
    public static void writeNpy(EmbeddingSet set, Path embeddings, Path labelsPath, DataType dtype)
            throws IOException {
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(embeddings))) {
            NpyFormat.write(out, set.values(), set.size(), set.dim(), dtype);
        }
        if (labelsPath != null && set.labels() != null) {
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(labelsPath))) {
                NpyFormat.writeLongs(out, set.labels());
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
    public static void writeCsv(EmbeddingSet set, Path file) throws IOException {
        int dim = set.dim();
        double[] values = set.values();
        long[] labels = set.labels();
        String[] names = set.names();
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            StringBuilder h = new StringBuilder("name,label");
            for (int j = 0; j < dim; j++) {
                h.append(",e").append(j);
            }
            w.write(h.toString());
            w.newLine();
            for (int i = 0; i < set.size(); i++) {
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
}
