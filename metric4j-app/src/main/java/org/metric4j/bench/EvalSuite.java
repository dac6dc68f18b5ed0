package org.metric4j.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
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
 * The evaluation suite (issues #4 and #17): leave-one-out retrieval metrics on 100,000 embeddings
 * of 128 dimensions and 1,000 classes, and an exact 10-nearest search of 10,000 queries against
 * 1,000,000 references of 512 dimensions, each after its matrix-product floor.
 *
 * <ul>
 *   <li>{@code gemm_100k_d128}: the 100,000 x 100,000 x 128 similarity products in the blocks of
 *       {@link KnnSearch}'s defaults, with no top-k selection and no bookkeeping.
 *   <li>{@code retrieval_100k}: {@link RetrievalMetrics#leaveOneOut} on the same sizes.
 *   <li>{@code gemm_10k_1m_d512}: the 10,000 x 1,000,000 x 512 products in the same blocks.
 *   <li>{@code knn_10k_vs_1m}: {@link KnnSearch#search} of the 10 nearest.
 * </ul>
 *
 * A retrieval or k-NN line carries {@code gemm_ratio} (its median over its gemm line's, named in
 * {@code gemm_case}) when both ran in the same invocation. Each case runs once after no warm-up
 * by default ({@code --iterations} repeats it, up to 3); the embeddings are class means plus
 * noise, from the seed.
 */
final class EvalSuite {

    private final BenchConfig config;
    private final Gson gson = new GsonBuilder().disableHtmlEscaping().create();

    EvalSuite(BenchConfig config) {
        this.config = config;
    }

    void run(Consumer<String> out) {
        BenchConfig once = config.withIterations(0, Math.max(1, Math.min(config.iterations(), 3)));
        retrieval("gemm_100k_d128", "retrieval_100k", 100_000, 1_000, 128, once, out);
        knn("gemm_10k_1m_d512", "knn_10k_vs_1m", 10_000, 1_000_000, 512, 10, once, out);
    }

    /**
     * The retrieval case after its gemm line.
     *
     * @param gemmName the baseline's name, or null for none (the scale suite's own line)
     */
    void retrieval(String gemmName, String name, int n, int classes, int dim, BenchConfig c, Consumer<String> out) {
        if (!selects(gemmName) && !config.selects(name)) {
            return;
        }
        try (NDManager manager = NDManager.newBaseManager(config.device())) {
            long[] labels = new long[n];
            for (int i = 0; i < n; i++) {
                labels[i] = i % classes;
            }
            NDArray x = clustered(manager, labels, classes, dim, config.seed());
            Map<String, Object> extra = new LinkedHashMap<>();
            extra.put("embeddings", n);
            extra.put("classes", classes);
            extra.put("dim", dim);
            Double gemm = gemm(gemmName, x, x, c, extra, out);
            if (!config.selects(name)) {
                return;
            }
            RetrievalMetrics.Report[] last = new RetrievalMetrics.Report[1];
            Map<String, Object> json = CaseTimer.time(name, c,
                    () -> last[0] = RetrievalMetrics.leaveOneOut(x, labels, KnnSearch.builder().build()), extra);
            json.put("precision_at_1", last[0].precisionAt1());
            json.put("map_at_r", last[0].meanAveragePrecisionAtR());
            json.put("k", last[0].k());
            ratio(json, gemmName, gemm);
            out.accept(gson.toJson(json));
        }
    }

    private void knn(String gemmName, String name, int queries, int references, int dim, int k, BenchConfig c,
            Consumer<String> out) {
        if (!selects(gemmName) && !config.selects(name)) {
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
            Double gemm = gemm(gemmName, q, r, c, extra, out);
            if (!config.selects(name)) {
                return;
            }
            extra.put("k", k);
            Map<String, Object> json = CaseTimer.time(name, c,
                    () -> KnnSearch.builder().build().search(q, r, k, Neighbours.INCLUDE_SELF), extra);
            ratio(json, gemmName, gemm);
            out.accept(gson.toJson(json));
        }
    }

    /**
     * Times the products of every query block with every reference block (the blocks of {@link
     * KnnSearch}'s defaults), each freed before the next, and prints the line.
     *
     * @return the median ms, or null when the case is not selected
     */
    private Double gemm(String name, NDArray queries, NDArray references, BenchConfig c, Map<String, Object> extra,
            Consumer<String> out) {
        if (!selects(name)) {
            return null;
        }
        long q = queries.getShape().get(0);
        long m = references.getShape().get(0);
        int qb = KnnSearch.DEFAULT_QUERY_BLOCK;
        int rb = KnnSearch.DEFAULT_REFERENCE_BLOCK;
        Runnable products = () -> {
            for (long qs = 0; qs < q; qs += qb) {
                NDArray qBlock = queries.get(qs + ":" + Math.min(q, qs + qb));
                for (long rs = 0; rs < m; rs += rb) {
                    try (NDScope block = new NDScope()) {
                        qBlock.matMul(references.get(rs + ":" + Math.min(m, rs + rb)).transpose());
                    }
                }
                qBlock.close();
            }
        };
        Map<String, Object> fields = new LinkedHashMap<>(extra);
        fields.put("query_block", qb);
        fields.put("reference_block", rb);
        Map<String, Object> json = CaseTimer.time(name, c, products, fields);
        out.accept(gson.toJson(json));
        return (Double) json.get("ms_median");
    }

    private boolean selects(String name) {
        return name != null && config.selects(name);
    }

    private static void ratio(Map<String, Object> json, String gemmName, Double gemm) {
        if (gemm != null && gemm > 0) {
            json.put("gemm_case", gemmName);
            json.put("gemm_ratio", CaseTimer.round((Double) json.get("ms_median") / gemm));
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
