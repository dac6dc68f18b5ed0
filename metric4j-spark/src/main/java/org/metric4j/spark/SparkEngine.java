package org.metric4j.spark;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.metric4j.engine.BenchConfig;
import org.metric4j.engine.DistributedEngine;
import org.metric4j.engine.DeviceNames;
import org.metric4j.engine.EmbedJob;
import org.metric4j.engine.EmbedResult;
import org.metric4j.engine.EvaluateJob;
import org.metric4j.engine.EvaluateResult;
import org.metric4j.engine.MemoryProbe;
import org.metric4j.eval.EmbeddingSet;
import org.metric4j.eval.PairsFile;
import org.metric4j.eval.RetrievalMetrics;
import org.metric4j.eval.VerificationProtocol;
import org.metric4j.io.EmbeddingFiles;
import org.metric4j.io.FileTrees;

/** {@code --engine spark}: the embedding job and sharded evaluation on a Spark session. */
public final class SparkEngine implements DistributedEngine {

    /** The square size of the benchmark's generated images and its TorchScript model's input (InsightFace's 112). */
    public static final int INPUT_SIZE = 112;

    @Override
    public String name() {
        return "spark";
    }

    /**
     * A session on {@code master}, or on the master spark-submit gave (when null, or when
     * spark-submit set {@code spark.master}). A
     * {@code spark://host:port} master that does not answer within 5 s is a clear error instead of
     * Spark's minute of retries.
     */
    public static SparkSession session(String master) {
        return session(master, Map.of());
    }

    /**
     * A session as {@link #session(String)}, with Spark settings ({@code --spark-conf}) applied
     * after metric4j's defaults, so they win.
     */
    public static SparkSession session(String master, Map<String, String> conf) {
        SparkSession.Builder b = SparkSession.builder().appName("metric4j").config("spark.ui.enabled", "false");
        if (System.getProperty("spark.master") != null) {
            master = null; // under spark-submit: its --master decides
        }
        if (master != null) {
            checkReachable(master);
            b.master(master);
            if (master.startsWith("local")) {
                b.config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1");
            }
        }
        for (Map.Entry<String, String> e : conf.entrySet()) {
            b.config(e.getKey(), e.getValue());
        }
        try {
            return b.getOrCreate();
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("--master " + master + ": Spark did not start: " + e.getMessage(), e);
        }
    }

    static void checkReachable(String master) {
        if (!master.startsWith("spark://")) {
            return;
        }
        for (String hostPort : master.substring("spark://".length()).split(",")) {
            URI uri = URI.create("spark://" + hostPort);
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(uri.getHost(), uri.getPort() < 0 ? 7077 : uri.getPort()), 5000);
                return;
            } catch (IOException | IllegalArgumentException e) {
                // try the next master of a standby list
            }
        }
        throw new IllegalArgumentException("--master " + master + ": no Spark master answers there (connection "
                + "refused or timed out after 5 s); start one (sbin/start-master.sh) or use local[*]");
    }

    @Override
    public EmbedResult embed(EmbedJob job, PrintWriter out) throws Exception {
        SparkSession spark = session(job.master(), job.sparkConf());
        EmbedResult r = SparkEmbedding.run(spark, job.model(), job.images(), job.output(), job.partitions(),
                job.device());
        out.printf(Locale.ROOT, "spark (%s): embedded %d of %d images in %.1f s over %d tasks to %s; %d unreadable"
                        + " (rows kept with their error)%n", spark.sparkContext().master(), r.embedded(),
                r.images(), r.seconds(), r.partitions(), job.output(), r.unreadable());
        out.flush();
        return r;
    }

    @Override
    public EvaluateResult evaluate(EvaluateJob job, PrintWriter out) throws Exception {
        SparkSession spark = session(job.master(), job.sparkConf());
        int shards = job.partitions() > 0 ? job.partitions() : spark.sparkContext().defaultParallelism();
        EmbeddingRows rows = EmbeddingRows.open(spark, job.embeddings(), job.labels(), job.names(), shards);
        try {
            VerificationProtocol.Report v = null;
            if (job.pairs() != null) {
                PairsFile file = PairsFile.read(job.pairs());
                v = ShardedVerification.evaluate(rows, file, shards);
                out.printf(Locale.ROOT, "verification (%d pairs, %d folds, joined to the embeddings on %d partitions): "
                        + "accuracy %.4f +- %.4f, AUC %.4f, EER %.4f%n", file.pairs().size(), file.folds(), shards,
                        v.accuracyMean(), v.accuracyStd(), v.auc(), v.eer());
            }
            RetrievalMetrics.Report r = null;
            if (job.retrieval()) {
                if (!rows.labels) {
                    throw new IllegalArgumentException("--retrieval needs labels");
                }
                r = ShardedRetrieval.leaveOneOut(rows, ShardedRetrieval.DEFAULT_QUERY_BLOCK, job.device(), line -> {
                    out.println(line);
                    out.flush();
                });
                out.printf(Locale.ROOT, "retrieval (leave-one-out, %d queries per block against %d reference "
                                + "partitions, exact top-%d merged): P@1 %.4f, R-Precision %.4f, MAP@R %.4f%n",
                        ShardedRetrieval.DEFAULT_QUERY_BLOCK, rows.partitions(), r.k(), r.precisionAt1(),
                        r.rPrecision(), r.meanAveragePrecisionAtR());
            }
            out.flush();
            return new EvaluateResult((int) rows.size(), rows.dim(), rows.partitions(), v, r);
        } finally {
            rows.unpersist();
        }
    }

    /**
     * spark_embed_local1 and spark_embed_local2: the embedding job over 512 generated 112 x 112
     * images with the TorchScript model of {@code -Dmetric4j.bench.torchscript} (default: the
     * repository's test fixture, a small traced IResNet), in local[1] then local[2]; images per
     * second after one warm-up run, and the speed-up from the second core. Also the start-up time
     * of a local Spark session.
     */
    @Override
    public void scaleBenchmarks(BenchConfig config, java.util.function.Consumer<String> out)
            throws Exception {
        com.google.gson.Gson gson = new com.google.gson.Gson();
        Path model = Path.of(System.getProperty("metric4j.bench.torchscript",
                "metric4j-app/src/test/resources/torchscript/tiny_iresnet.pt"));
        if (!config.selects("spark_embed")) {
            return;
        }
        if (!Files.isRegularFile(model)) {
            out.accept(gson.toJson(Map.of("name", "spark_embed_*", "skipped", "no TorchScript model at " + model
                    + " (run from the repository root or set -Dmetric4j.bench.torchscript)")));
            return;
        }
        Path dir = Files.createTempDirectory("metric4j-spark-bench");
        try {
            Path images = dir.resolve("images");
            java.util.Random rnd = new java.util.Random(config.seed());
            int n = 512;
            for (int i = 0; i < n; i++) {
                Path id = images.resolve(String.format(Locale.ROOT, "id%02d", i % 8));
                Files.createDirectories(id);
                java.awt.image.BufferedImage img = new java.awt.image.BufferedImage(INPUT_SIZE, INPUT_SIZE,
                        java.awt.image.BufferedImage.TYPE_INT_RGB);
                for (int y = 0; y < INPUT_SIZE; y++) {
                    for (int x = 0; x < INPUT_SIZE; x++) {
                        img.setRGB(x, y, rnd.nextInt(1 << 24));
                    }
                }
                javax.imageio.ImageIO.write(img, "png", id.resolve(String.format(Locale.ROOT, "%04d.png", i)).toFile());
            }
            double single = 0;
            for (int cores : new int[] {1, 2}) {
                long s0 = System.nanoTime();
                SparkSession spark = session("local[" + cores + "]");
                double startup = (System.nanoTime() - s0) / 1e9;
                try {
                    SparkEmbedding.run(spark, model, INPUT_SIZE, false, images, dir.resolve("warm" + cores), 2 * cores,
                            DeviceNames.of(config.device()));
                    int iterations = Math.max(1, Math.min(3, config.iterations()));
                    double[] rates = new double[iterations];
                    for (int it = 0; it < iterations; it++) {
                        EmbedResult r = SparkEmbedding.run(spark, model, INPUT_SIZE, false, images,
                                dir.resolve("run" + cores + "-" + it), 2 * cores, DeviceNames.of(config.device()));
                        rates[it] = n / r.seconds();
                    }
                    java.util.Arrays.sort(rates);
                    double median = rates[iterations / 2];
                    Map<String, Object> json = new LinkedHashMap<>();
                    json.put("name", "spark_embed_local" + cores);
                    json.put("ms_median", Math.round(1000.0 * n / median * 1000) / 1000.0);
                    json.put("peak_rss_mb", Math.round(MemoryProbe.peakRssMb() * 1000) / 1000.0);
                    json.put("images", n);
                    json.put("images_per_second", Math.round(median * 10) / 10.0);
                    json.put("session_startup_s", Math.round(startup * 100) / 100.0);
                    json.put("model", model.getFileName().toString());
                    json.put("tasks", 2 * cores);
                    if (cores == 1) {
                        single = median;
                    } else {
                        json.put("speedup_vs_local1", Math.round(median / single * 100) / 100.0);
                    }
                    out.accept(gson.toJson(json));
                } finally {
                    spark.stop();
                    SparkSession.clearActiveSession();
                    SparkSession.clearDefaultSession();
                }
            }
        } finally {
            FileTrees.delete(dir);
        }
    }

    /**
     * Embeddings from the embedding job's Parquet (rows with an error left out) or from .npy / .csv,
     * gathered on the driver: for small sets and tests; the evaluation itself uses {@link EmbeddingRows}.
     */
    public static EmbeddingSet load(SparkSession spark, Path embeddings, Path labels, Path names) throws IOException {
        String file = embeddings.getFileName().toString();
        if (Files.isDirectory(embeddings) || file.endsWith(".parquet")) {
            Dataset<Row> df = spark.read().parquet(embeddings.toString());
            if (java.util.Arrays.asList(df.columns()).contains("error")) {
                df = df.where(df.col("error").isNull());
            }
            List<Row> rows = df.select("id", "label", "embedding").orderBy("id").collectAsList();
            if (rows.isEmpty()) {
                throw new IllegalArgumentException("--embeddings " + embeddings + " holds no embedding");
            }
            int d = rows.get(0).getList(2).size();
            double[] values = new double[rows.size() * d];
            long[] y = new long[rows.size()];
            String[] ids = new String[rows.size()];
            for (int i = 0; i < rows.size(); i++) {
                List<Float> e = rows.get(i).getList(2);
                for (int j = 0; j < d; j++) {
                    values[i * d + j] = e.get(j);
                }
                y[i] = rows.get(i).getLong(1);
                ids[i] = rows.get(i).getString(0);
            }
            return new EmbeddingSet(values, rows.size(), d, y, ids);
        }
        return EmbeddingFiles.load("--embeddings", embeddings, labels, names);
    }
}
