package org.metric4j.bench;

import ai.djl.ndarray.types.DataType;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Consumer;
import org.metric4j.engine.BenchConfig;
import org.metric4j.engine.DistributedEngine;
import org.metric4j.engine.EvaluateJob;
import org.metric4j.engine.EvaluateResult;
import org.metric4j.eval.EmbeddingSet;
import org.metric4j.index.GalleryIndex;
import org.metric4j.index.Hit;
import org.metric4j.index.HnswParameters;
import org.metric4j.io.EmbeddingFiles;
import org.metric4j.io.FileTrees;
import org.metric4j.train.Checkpoint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The scale suite (issue #8). Lucene: building a gallery index of 100,000 x 128 face-like
 * embeddings (10,000 identities x 10 images: unit class centers plus noise), then HNSW and exact
 * top-10 queries by new images of enrolled identities, with HNSW recall@10 against exact search.
 * Spark (when the metric4j-spark module is on the class path): its engine's own cases.
 */
final class ScaleSuite {

    private static final Logger LOG = LoggerFactory.getLogger(ScaleSuite.class);

    static final int GALLERY = 100_000;
    static final int IDENTITIES = 10_000;
    static final int DIM = 128;
    static final int HNSW_QUERIES = 1_000;
    static final int EXACT_QUERIES = 100;

    private final BenchConfig config;

    ScaleSuite(BenchConfig config) {
        this.config = config;
    }

    void run(Consumer<String> out) {
        lucene(out);
        DistributedEngine spark = DistributedEngine.lookup("spark");
        if (spark == null) {
            Map<String, Object> skipped = new LinkedHashMap<>();
            skipped.put("name", "spark_*");
            skipped.put("skipped", "the metric4j-spark module is not on the class path (./metric4j adds it for "
                    + "'bench --suite scale')");
            out.accept(new Gson().toJson(skipped));
            return;
        }
        try {
            spark.scaleBenchmarks(config, out);
            shardedRetrieval(spark, out);
        } catch (Exception e) {
            throw new IllegalStateException("the Spark benchmarks failed: " + e.getMessage(), e);
        }
    }

    /**
     * retrieval_100k on one machine (issue 4's case) and sharded_retrieval_100k: the same 100,000 x
     * 128 embeddings evaluated exactly over 4 shards by the Spark engine in local[2].
     */
    private void shardedRetrieval(DistributedEngine spark, Consumer<String> out) throws Exception {
        BenchConfig once = config.withIterations(0, 1);
        new EvalSuite(config).retrieval(null, "retrieval_100k", 100_000, 1_000, 128, once, out);
        if (!config.selects("sharded_retrieval_100k")) {
            return;
        }
        Path dir = Files.createTempDirectory("metric4j-sharded");
        try {
            long[] labels = new long[100_000];
            for (int i = 0; i < labels.length; i++) {
                labels[i] = i % 1_000;
            }
            float[] values;
            try (ai.djl.ndarray.NDManager m = ai.djl.ndarray.NDManager.newBaseManager(config.device())) {
                values = EvalSuite.clustered(m, labels, 1_000, 128, config.seed()).toFloatArray();
            }
            double[] v = new double[values.length];
            for (int i = 0; i < v.length; i++) {
                v[i] = values[i];
            }
            EmbeddingFiles.writeNpy(new EmbeddingSet(v, labels.length, 128, labels, null), dir.resolve("e.npy"),
                    dir.resolve("e-labels.npy"), DataType.FLOAT32);
            EvaluateResult[] result = new EvaluateResult[1];
            java.io.StringWriter sink = new java.io.StringWriter();
            Map<String, Object> extra = new LinkedHashMap<>();
            extra.put("embeddings", labels.length);
            extra.put("dim", 128);
            extra.put("shards", 4);
            extra.put("master", "local[2]");
            Map<String, Object> json = CaseTimer.time("sharded_retrieval_100k", once, () -> {
                try {
                    result[0] = spark.evaluate(new EvaluateJob("local[2]", dir.resolve("e.npy"),
                            dir.resolve("e-labels.npy"), null, null, true, 4,
                            org.metric4j.engine.DeviceNames.of(config.device())), new java.io.PrintWriter(sink));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }, extra);
            json.put("precision_at_1", result[0].retrieval().precisionAt1());
            json.put("map_at_r", result[0].retrieval().meanAveragePrecisionAtR());
            out.accept(new GsonBuilder().disableHtmlEscaping().create().toJson(json));
        } finally {
            FileTrees.delete(dir);
        }
    }

    private void lucene(Consumer<String> out) {
        Gson gson = new GsonBuilder().disableHtmlEscaping().create();
        if (!config.selects("lucene_build_100k") && !config.selects("lucene_hnsw_query")
                && !config.selects("lucene_exact_query")) {
            return;
        }
        Path dir = null;
        try {
            dir = Files.createTempDirectory("metric4j-scale");
            EmbeddingSet gallery = faces(config.seed(), GALLERY / IDENTITIES, DIM);
            EmbeddingSet probes = faces(config.seed() + 1, 1, DIM);
            BenchConfig once = config.withIterations(0, 1);
            Path where = dir.resolve("gallery");
            GalleryIndex[] index = new GalleryIndex[1];
            Map<String, Object> extra = new LinkedHashMap<>();
            extra.put("items", GALLERY);
            extra.put("dim", DIM);
            extra.put("m", HnswParameters.DEFAULTS.maxConn());
            extra.put("beam_width", HnswParameters.DEFAULTS.beamWidth());
            Map<String, Object> build = CaseTimer.time("lucene_build_100k", once, () -> {
                try {
                    index[0] = GalleryIndex.build(where, gallery, HnswParameters.DEFAULTS);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }, extra);
            build.put("seconds", (double) build.get("ms_median") / 1000);
            build.put("index_mb", CaseTimer.round(sizeMb(where)));
            if (config.selects("lucene_build_100k")) {
                out.accept(gson.toJson(build));
            }
            try (GalleryIndex g = index[0]) {
                float[] q = probes.floats();
                List<Set<Integer>> truth = new java.util.ArrayList<>();
                Map<String, Object> exactExtra = new LinkedHashMap<>();
                exactExtra.put("queries", EXACT_QUERIES);
                exactExtra.put("items", GALLERY);
                exactExtra.put("k", 10);
                Map<String, Object> exact = CaseTimer.time("lucene_exact_query", once, () -> {
                    truth.clear();
                    for (int i = 0; i < EXACT_QUERIES; i++) {
                        Set<Integer> rows = new HashSet<>();
                        for (Hit h : exact(g, q, i)) {
                            rows.add(h.row());
                        }
                        truth.add(rows);
                    }
                }, exactExtra);
                exact.put("ms_per_query", CaseTimer.round((double) exact.get("ms_median") / EXACT_QUERIES));
                for (int ef : new int[] {10, 100}) {
                    int[] found = new int[1];
                    Map<String, Object> hnswExtra = new LinkedHashMap<>();
                    hnswExtra.put("queries", HNSW_QUERIES);
                    hnswExtra.put("items", GALLERY);
                    hnswExtra.put("k", 10);
                    hnswExtra.put("ef_search", ef);
                    Map<String, Object> hnsw = CaseTimer.time("lucene_hnsw_query", config, () -> {
                        found[0] = 0;
                        for (int i = 0; i < HNSW_QUERIES; i++) {
                            List<Hit> hits = searchHnsw(g, q, i, ef);
                            if (i < EXACT_QUERIES) {
                                for (Hit h : hits) {
                                    found[0] += truth.get(i).contains(h.row()) ? 1 : 0;
                                }
                            }
                        }
                    }, hnswExtra);
                    hnsw.put("ms_per_query", CaseTimer.round((double) hnsw.get("ms_median") / HNSW_QUERIES));
                    hnsw.put("recall_at_10", found[0] / (10.0 * EXACT_QUERIES));
                    if (config.selects("lucene_hnsw_query")) {
                        out.accept(gson.toJson(hnsw));
                    }
                }
                if (config.selects("lucene_exact_query")) {
                    out.accept(gson.toJson(exact));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            if (dir != null) {
                try {
                    FileTrees.delete(dir);
                } catch (IOException e) {
                    LOG.warn("could not delete the temporary index directory {}: {}", dir, e.toString());
                }
            }
        }
    }

    private static List<Hit> exact(GalleryIndex g, float[] q, int i) {
        try {
            return g.searchExact(java.util.Arrays.copyOfRange(q, i * DIM, (i + 1) * DIM), 10);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<Hit> searchHnsw(GalleryIndex g, float[] q, int i, int ef) {
        try {
            return g.search(java.util.Arrays.copyOfRange(q, i * DIM, (i + 1) * DIM), 10, ef);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code per} images of each of the identities: unit centers (from the seed's first draws) plus noise. */
    static EmbeddingSet faces(long sampleSeed, int per, int d) {
        Random centers = new Random(12345);
        Random rnd = new Random(sampleSeed);
        int n = IDENTITIES * per;
        double[] values = new double[n * d];
        long[] labels = new long[n];
        String[] names = new String[n];
        double[] c = new double[d];
        for (int id = 0; id < IDENTITIES; id++) {
            for (int j = 0; j < d; j++) {
                c[j] = centers.nextGaussian() / Math.sqrt(d);
            }
            for (int s = 0; s < per; s++) {
                int i = id * per + s;
                for (int j = 0; j < d; j++) {
                    values[i * d + j] = c[j] + rnd.nextGaussian() / Math.sqrt(d);
                }
                labels[i] = id;
                names[i] = id + "/" + s;
            }
        }
        return new EmbeddingSet(values, n, d, labels, names);
    }

    private static double sizeMb(Path dir) throws IOException {
        try (var s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum() / 1e6;
        }
    }
}
