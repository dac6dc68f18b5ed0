package org.metric4j.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.metric4j.engine.BenchConfig;
import org.metric4j.eval.KnnSearch;
import org.metric4j.eval.Neighbours;
import org.metric4j.eval.RetrievalMetrics;

/**
 * The evaluation suite (issue #4): leave-one-out retrieval metrics on 100,000 embeddings of 128
 * dimensions and 1,000 classes, and an exact 10-nearest search of 10,000 queries against
 * 1,000,000 references of 512 dimensions. Each case runs once after no warm-up by default
 * ({@code --iterations} repeats it); the embeddings are class means plus noise, from the seed.
 */
final class EvalSuite {

    private final BenchConfig config;

    EvalSuite(BenchConfig config) {
        this.config = config;
    }

    void run(Consumer<String> out) {
        Gson gson = new GsonBuilder().disableHtmlEscaping().create();
        BenchConfig once = config.withIterations(0, Math.max(1, Math.min(config.iterations(), 3)));
        retrieval("retrieval_100k", 100_000, 1_000, 128, once, out, gson);
        knn("knn_10k_vs_1m", 10_000, 1_000_000, 512, 10, once, out, gson);
    }

    void retrieval(String name, int n, int classes, int dim, BenchConfig c, Consumer<String> out, Gson gson) {
        if (!config.selects(name)) {
            return;
        }
        try (NDManager manager = NDManager.newBaseManager(config.device())) {
            long[] labels = new long[n];
            for (int i = 0; i < n; i++) {
                labels[i] = i % classes;
            }
            NDArray x = clustered(manager, labels, classes, dim, config.seed());
            RetrievalMetrics.Report[] last = new RetrievalMetrics.Report[1];
            Map<String, Object> extra = new LinkedHashMap<>();
            extra.put("embeddings", n);
            extra.put("classes", classes);
            extra.put("dim", dim);
            Map<String, Object> json = CaseTimer.time(name, c,
                    () -> last[0] = RetrievalMetrics.leaveOneOut(x, labels, KnnSearch.builder().build()), extra);
            json.put("precision_at_1", last[0].precisionAt1());
            json.put("map_at_r", last[0].meanAveragePrecisionAtR());
            json.put("k", last[0].k());
            out.accept(gson.toJson(json));
        }
    }

    void knn(String name, int queries, int references, int dim, int k, BenchConfig c,
            Consumer<String> out, Gson gson) {
        if (!config.selects(name)) {
            return;
        }
        try (NDManager manager = NDManager.newBaseManager(config.device())) {
            manager.getEngine().setRandomSeed((int) config.seed());
            NDArray q = manager.randomNormal(new Shape(queries, dim)).toType(DataType.FLOAT32, false);
            NDArray r = manager.randomNormal(new Shape(references, dim)).toType(DataType.FLOAT32, false);
            Map<String, Object> extra = new LinkedHashMap<>();
            extra.put("queries", queries);
            extra.put("references", references);
            extra.put("dim", dim);
            extra.put("k", k);
            Map<String, Object> json = CaseTimer.time(name, c,
                    () -> KnnSearch.builder().build().search(q, r, k, Neighbours.INCLUDE_SELF), extra);
            out.accept(gson.toJson(json));
        }
    }

    /** Class means on the unit sphere plus noise, so the metrics are neither 0 nor 1. */
    static NDArray clustered(NDManager manager, long[] labels, int classes, int dim, long seed) {
        manager.getEngine().setRandomSeed((int) seed);
        NDArray means = manager.randomNormal(new Shape(classes, dim)).normalize(2, 1, 1e-12);
        NDArray idx = manager.create(labels);
        NDArray noise = manager.randomNormal(new Shape(labels.length, dim)).mul(1.8 / Math.sqrt(dim));
        return means.get(new ai.djl.ndarray.index.NDIndex("{}", idx)).add(noise).toType(DataType.FLOAT32, false);
    }
}
