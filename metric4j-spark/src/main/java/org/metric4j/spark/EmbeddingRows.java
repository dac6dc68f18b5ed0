package org.metric4j.spark;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.metric4j.eval.EmbeddingSet;
import org.metric4j.io.EmbeddingFiles;
import org.metric4j.io.NpyFormat;
import scala.Tuple2;

/**
 * An embedding set as a distributed dataset: one {@link RowBlock} of consecutive rows per
 * partition, read by the executors themselves (byte ranges of a .npy and of its labels .npy,
 * line ranges of a names file; or range partitions of the embedding job's Parquet, in id order,
 * so row i is the i-th id as the single-machine loader orders them). The driver reads headers and
 * counts, never the rows. The rows are persisted ({@code MEMORY_AND_DISK}) in the executors'
 * storage memory: float32 sources stay float32 (4 bytes per value).
 */
public final class EmbeddingRows implements Serializable {
    private static final long serialVersionUID = 1L;

    final transient JavaRDD<RowBlock> rdd;
    final long size;
    final int dim;
    final boolean labels;
    final boolean names;

    private EmbeddingRows(JavaRDD<RowBlock> rdd) {
        this.rdd = rdd.persist(StorageLevel.MEMORY_AND_DISK());
        long[] stats = this.rdd.map(b -> new long[] {b.rows, b.dim, b.labels != null || b.rows == 0 ? 1 : 0,
            b.names != null || b.rows == 0 ? 1 : 0}).reduce((a, b) -> new long[] {a[0] + b[0], Math.max(a[1], b[1]),
                a[2] & b[2], a[3] & b[3]});
        this.size = stats[0];
        this.dim = (int) stats[1];
        this.labels = stats[2] == 1;
        this.names = stats[3] == 1;
    }

    /** The rows. */
    public long size() {
        return size;
    }

    /** The dimension. */
    public int dim() {
        return dim;
    }

    /** The partitions. */
    public int partitions() {
        return rdd.getNumPartitions();
    }

    /** Drops the persisted rows. */
    public void unpersist() {
        rdd.unpersist(false);
    }

    /**
     * The rows of {@code embeddings}: the embedding job's Parquet (a directory or a .parquet
     * file; rows with an error left out), or a .npy with its labels .npy and names file, read by
     * the executors; a .csv is read by the driver and distributed (small sets only).
     */
    public static EmbeddingRows open(SparkSession spark, Path embeddings, Path labels, Path names, int partitions)
            throws IOException {
        String file = embeddings.getFileName().toString().toLowerCase(Locale.ROOT);
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        if (Files.isDirectory(embeddings) || file.endsWith(".parquet")) {
            return parquet(spark, embeddings, partitions);
        }
        if (file.endsWith(".npy")) {
            return npy(jsc, embeddings, labels, names, partitions);
        }
        return of(jsc, EmbeddingFiles.load("--embeddings", embeddings, labels, names), partitions);
    }

    /** An in-memory set distributed over {@code partitions} (for tests and small sets). */
    public static EmbeddingRows of(JavaSparkContext jsc, EmbeddingSet set, int partitions) {
        List<RowBlock> blocks = new ArrayList<>();
        int p = Math.max(1, partitions);
        for (int i = 0; i < p; i++) {
            int s = (int) ((long) set.size() * i / p);
            int e = (int) ((long) set.size() * (i + 1) / p);
            blocks.add(RowBlock.ofDoubles(s, e - s, set.dim(), Arrays.copyOfRange(set.values(), s * set.dim(),
                    e * set.dim()), set.labels() == null ? null : Arrays.copyOfRange(set.labels(), s, e),
                    set.names() == null ? null : Arrays.copyOfRange(set.names(), s, e)));
        }
        return new EmbeddingRows(jsc.parallelize(blocks, p));
    }

    /**
     * A .npy of N x D float32 or float64 embeddings, its labels (a 1-D int .npy, or null) and
     * names (a text file of N non-blank lines, or null), each partition read from its byte range
     * by an executor.
     */
    public static EmbeddingRows npy(JavaSparkContext jsc, Path embeddings, Path labels, Path names, int partitions)
            throws IOException {
        if (!Files.isRegularFile(embeddings)) {
            throw new IllegalArgumentException("--embeddings: no such file " + embeddings);
        }
        NpyFormat.Header h = NpyFormat.readHeader(embeddings);
        if (h.shape().length != 2 || !h.descr().startsWith("<f")) {
            throw new IllegalArgumentException("--embeddings " + embeddings + ": expected a 2-D float32 or float64 "
                    + "array (N x D), got shape " + Arrays.toString(h.shape()) + " of " + h.descr());
        }
        long n = h.shape()[0];
        if (labels != null) {
            if (!Files.isRegularFile(labels)) {
                throw new IllegalArgumentException("--labels: no such file " + labels);
            }
            NpyFormat.Header lh = NpyFormat.readHeader(labels);
            if (lh.shape().length != 1 || lh.shape()[0] != n) {
                throw new IllegalArgumentException("--labels " + labels + ": expected a 1-D array of " + n
                        + " labels, got shape " + Arrays.toString(lh.shape()));
            }
        }
        if (names != null) {
            long lines;
            try (BufferedReader r = Files.newBufferedReader(names, StandardCharsets.UTF_8)) {
                lines = r.lines().filter(l -> !l.trim().isEmpty()).count();
            }
            if (lines != n) {
                throw new IllegalArgumentException("--names " + names + ": has " + lines + " names for " + n
                        + " embeddings");
            }
        }
        int p = (int) Math.max(1, Math.min(partitions, n));
        List<long[]> ranges = new ArrayList<>();
        for (int i = 0; i < p; i++) {
            long s = n * i / p;
            ranges.add(new long[] {s, n * (i + 1) / p - s});
        }
        String e = embeddings.toAbsolutePath().toString();
        String l = labels == null ? null : labels.toAbsolutePath().toString();
        String nm = names == null ? null : names.toAbsolutePath().toString();
        return new EmbeddingRows(jsc.parallelize(ranges, p).map(r -> readRange(e, l, nm, r[0], (int) r[1])));
    }

    private static RowBlock readRange(String embeddings, String labels, String names, long start, int rows)
            throws IOException {
        Path e = Path.of(embeddings);
        NpyFormat.Header h = NpyFormat.readHeader(e);
        int d = (int) h.shape()[1];
        double[] v = NpyFormat.readRows(e, h, start, rows);
        long[] y = null;
        if (labels != null) {
            Path lp = Path.of(labels);
            double[] raw = NpyFormat.readRows(lp, NpyFormat.readHeader(lp), start, rows);
            y = new long[rows];
            for (int i = 0; i < rows; i++) {
                y[i] = (long) raw[i];
                if (y[i] != raw[i]) {
                    throw new IllegalArgumentException(labels + ": labels must be integers, got " + raw[i] + " at "
                            + (start + i));
                }
            }
        }
        String[] n = null;
        if (names != null) {
            n = new String[rows];
            try (BufferedReader r = Files.newBufferedReader(Path.of(names), StandardCharsets.UTF_8)) {
                Iterator<String> it = r.lines().map(String::trim).filter(x -> !x.isEmpty()).skip(start).iterator();
                for (int i = 0; i < rows; i++) {
                    n[i] = it.next();
                }
            }
        }
        if (h.descr().equals("<f4")) {
            float[] f = new float[v.length];
            for (int i = 0; i < v.length; i++) {
                f[i] = (float) v[i];
            }
            return RowBlock.ofFloats(start, rows, d, f, y, n);
        }
        return RowBlock.ofDoubles(start, rows, d, v, y, n);
    }

    /**
     * The embedding job's Parquet ({@code id, label, embedding[, error]}; rows with an error left
     * out): range-partitioned by id and sorted within partitions, so that row i is the i-th id.
     */
    public static EmbeddingRows parquet(SparkSession spark, Path path, int partitions) {
        Dataset<Row> df = spark.read().parquet(path.toString());
        if (Arrays.asList(df.columns()).contains("error")) {
            df = df.where(df.col("error").isNull());
        }
        int p = Math.max(1, partitions);
        df = df.select("id", "label", "embedding").repartitionByRange(p, df.col("id")).sortWithinPartitions("id");
        JavaRDD<RowBlock> blocks = df.javaRDD().zipWithIndex().mapPartitions(EmbeddingRows::parquetBlock);
        EmbeddingRows rows = new EmbeddingRows(blocks);
        if (rows.size == 0) {
            throw new IllegalArgumentException("--embeddings " + path + " holds no embedding");
        }
        return rows;
    }

    private static Iterator<RowBlock> parquetBlock(Iterator<Tuple2<Row, Long>> it) {
        List<Tuple2<Row, Long>> rows = new ArrayList<>();
        it.forEachRemaining(rows::add);
        if (rows.isEmpty()) {
            return List.of(RowBlock.ofFloats(0, 0, 0, new float[0], new long[0], new String[0])).iterator();
        }
        int d = rows.get(0)._1().getList(2).size();
        float[] v = new float[rows.size() * d];
        long[] y = new long[rows.size()];
        String[] n = new String[rows.size()];
        for (int i = 0; i < rows.size(); i++) {
            Row r = rows.get(i)._1();
            List<Float> e = r.getList(2);
            if (e.size() != d) {
                throw new IllegalArgumentException("embedding of '" + r.getString(0) + "' has " + e.size()
                        + " values, expected " + d);
            }
            for (int j = 0; j < d; j++) {
                v[i * d + j] = e.get(j);
            }
            y[i] = r.getLong(1);
            n[i] = r.getString(0);
        }
        return List.of(RowBlock.ofFloats(rows.get(0)._2(), rows.size(), d, v, y, n)).iterator();
    }
}
