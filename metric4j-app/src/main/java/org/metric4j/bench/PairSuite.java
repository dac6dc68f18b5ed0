package org.metric4j.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import com.google.gson.Gson;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.metric4j.engine.BenchConfig;
import org.metric4j.loss.CircleLoss;
import org.metric4j.loss.ContrastiveLoss;
import org.metric4j.loss.CrossBatchMemory;
import org.metric4j.loss.FastAPLoss;
import org.metric4j.loss.LiftedStructureLoss;
import org.metric4j.loss.MetricLoss;
import org.metric4j.loss.MultiSimilarityLoss;
import org.metric4j.loss.NTXentLoss;
import org.metric4j.loss.ProxyAnchorLoss;
import org.metric4j.loss.ProxyLoss;
import org.metric4j.loss.ReferenceSetLoss;
import org.metric4j.loss.SoftTripleLoss;
import org.metric4j.loss.SupConLoss;
import org.metric4j.loss.TripletMarginLoss;
import org.metric4j.miner.BatchHardMiner;
import org.metric4j.miner.TripletMarginMiner;

/**
 * The pair suite (issue #2): forward + backward of the pair and tuple losses on random normal
 * 128-d float32 embeddings with P x K labels; and of the proxy losses (issue #16), whose
 * backward reaches the embeddings and the proxies (random normal, C x 128 or C K x 128 for
 * SoftTriple), with labels drawn uniformly from C classes as a shuffled sampler gives them; and
 * of a CrossBatchMemory (a full queue, the step's update included) and of a loss against a
 * separate reference set (gradients to both).
 */
final class PairSuite {

    private static final int DIM = 128;
    private final BenchConfig config;

    PairSuite(BenchConfig config) {
        this.config = config;
    }

    void run(Consumer<String> out) {
        Gson gson = new com.google.gson.GsonBuilder().disableHtmlEscaping().create();
        caseOf("contrastive_b256", 64, 4, ContrastiveLoss.builder().build(), out, gson);
        caseOf("triplet_all_b256", 64, 4, TripletMarginLoss.builder().build(), out, gson);
        caseOf("triplet_batch_hard_b256", 64, 4,
                TripletMarginLoss.builder().optMargin(0.2).optMiner(BatchHardMiner.builder().build()).build(),
                out, gson);
        caseOf("triplet_semihard_b256", 64, 4, TripletMarginLoss.builder().optMargin(0.2)
                .optMiner(TripletMarginMiner.builder().optType(TripletMarginMiner.Type.SEMIHARD)
                        .build())
                .build(), out, gson);
        caseOf("ntxent_b256", 64, 4, NTXentLoss.builder().build(), out, gson);
        caseOf("supcon_b256", 64, 4, SupConLoss.builder().build(), out, gson);
        caseOf("multi_similarity_b256", 64, 4, MultiSimilarityLoss.builder().build(), out, gson);
        caseOf("circle_b256", 64, 4, CircleLoss.builder().build(), out, gson);
        caseOf("lifted_structure_b256", 64, 4, LiftedStructureLoss.builder().build(), out, gson);
        caseOf("triplet_all_b1024", 256, 4, TripletMarginLoss.builder().build(), out, gson);
        caseOf("triplet_all_b2048_k8", 256, 8, TripletMarginLoss.builder().build(), out, gson);
        proxyCase("proxy_anchor_b256_c1k", 256, 1000, 1, ProxyAnchorLoss.builder().build(), out, gson);
        SoftTripleLoss softTriple = SoftTripleLoss.builder().build();
        proxyCase("soft_triple_b256_c1k", 256, 1000, softTriple.centersPerClass(), softTriple, out, gson);
        xbmCase("xbm_contrastive_b256_m8192", 64, 4, 8192, ContrastiveLoss.builder().build(), out, gson);
        caseOf("fastap_b256", 64, 4, FastAPLoss.builder().build(), out, gson);
        xbmCase("xbm_contrastive_b256_m65536", 64, 4, 65536, ContrastiveLoss.builder().build(), out, gson);
        referenceCase("ntxent_ref_b256_m4096", 64, 4, 4096, NTXentLoss.builder().build(), out, gson);
    }

    /**
     * A CrossBatchMemory of {@code memory} entries around a pair loss, filled beforehand with
     * random P x K batches so that every step sees all {@code memory} references: forward +
     * backward to the B x 128 batch, then the queue update (one training step).
     */
    private void xbmCase(String name, int classes, int perClass, int memory, ReferenceSetLoss inner,
            Consumer<String> out, Gson gson) {
        if (!config.selects(name)) {
            return;
        }
        int batch = classes * perClass;
        try (NDManager manager = NDManager.newBaseManager(config.device());
                CrossBatchMemory loss = CrossBatchMemory.builder(inner, DIM).optMemorySize(memory).build()) {
            NDArray labels = manager.create(pxkLabels(classes, perClass, config.seed()));
            for (int i = 0; i < (memory + batch - 1) / batch; i++) {
                try (NDScope scope = new NDScope()) {
                    loss.update(randomNormal(manager, batch, config.seed() + 10 + i), labels, null);
                }
            }
            NDArray x = randomNormal(manager, batch, config.seed());
            x.setRequiresGradient(true);
            Map<String, Object> extra = new LinkedHashMap<>();
            extra.put("batch", batch);
            extra.put("classes", classes);
            extra.put("per_class", perClass);
            extra.put("memory", memory);
            extra.put("dim", DIM);
            extra.put("dtype", "float32");
            extra.put("loss", loss.toString());
            out.accept(gson.toJson(timeStep(name, () -> loss.computeAndUpdate(x, labels), extra)));
        }
    }

    /**
     * A pair loss of a B x 128 batch against a separate labelled reference set of {@code refs}
     * rows (P x K labels of the same classes): forward + backward to both.
     */
    private void referenceCase(String name, int classes, int perClass, int refs, ReferenceSetLoss loss,
            Consumer<String> out, Gson gson) {
        if (!config.selects(name)) {
            return;
        }
        int batch = classes * perClass;
        try (NDManager manager = NDManager.newBaseManager(config.device())) {
            NDArray x = randomNormal(manager, batch, config.seed());
            NDArray ref = randomNormal(manager, refs, config.seed() + 2);
            NDArray labels = manager.create(pxkLabels(classes, perClass, config.seed()));
            NDArray refLabels = manager.create(pxkLabels(classes, refs / classes, config.seed() + 4));
            x.setRequiresGradient(true);
            ref.setRequiresGradient(true);
            Map<String, Object> extra = new LinkedHashMap<>();
            extra.put("batch", batch);
            extra.put("classes", classes);
            extra.put("per_class", perClass);
            extra.put("references", refs);
            extra.put("dim", DIM);
            extra.put("dtype", "float32");
            extra.put("loss", loss.toString());
            out.accept(gson.toJson(timeStep(name, () -> loss.compute(x, labels, ref, refLabels), extra)));
        }
    }

    /**
     * A proxy loss: forward + backward to the B x 128 embeddings and the (C rowsPerClass) x 128
     * proxies, the labels uniform over C classes.
     */
    private void proxyCase(String name, int batch, int classes, int rowsPerClass, ProxyLoss loss,
            Consumer<String> out, Gson gson) {
        if (!config.selects(name)) {
            return;
        }
        try (NDManager manager = NDManager.newBaseManager(config.device())) {
            NDArray x = randomNormal(manager, batch, config.seed());
            NDArray proxies = randomNormal(manager, classes * rowsPerClass, config.seed() + 2);
            NDArray labels = manager.create(uniformLabels(batch, classes, config.seed()));
            x.setRequiresGradient(true);
            proxies.setRequiresGradient(true);
            Map<String, Object> extra = new LinkedHashMap<>();
            extra.put("batch", batch);
            extra.put("classes", classes);
            extra.put("proxies", classes * rowsPerClass);
            extra.put("labels", "uniform");
            extra.put("dim", DIM);
            extra.put("dtype", "float32");
            extra.put("loss", loss.toString());
            out.accept(gson.toJson(timeStep(name, () -> loss.compute(x, proxies, labels), extra)));
        }
    }

    /** {@code size} labels drawn uniformly from [0, classes). */
    static long[] uniformLabels(int size, int classes, long seed) {
        Random rnd = new Random(seed + 3);
        long[] labels = new long[size];
        for (int i = 0; i < size; i++) {
            labels[i] = rnd.nextInt(classes);
        }
        return labels;
    }

    private void caseOf(String name, int classes, int perClass, MetricLoss loss,
            Consumer<String> out, Gson gson) {
        if (!config.selects(name)) {
            return;
        }
        int batch = classes * perClass;
        try (NDManager manager = NDManager.newBaseManager(config.device())) {
            NDArray x = randomNormal(manager, batch, config.seed());
            NDArray labels = manager.create(pxkLabels(classes, perClass, config.seed()));
            x.setRequiresGradient(true);
            Map<String, Object> extra = new LinkedHashMap<>();
            extra.put("batch", batch);
            extra.put("classes", classes);
            extra.put("per_class", perClass);
            extra.put("dim", DIM);
            extra.put("dtype", "float32");
            extra.put("loss", loss.toString());
            out.accept(gson.toJson(timeStep(name, () -> loss.compute(x, labels), extra)));
        }
    }

    /**
     * Times one training step of a case: {@code loss} evaluated and back-propagated, its
     * temporaries in an NDScope and its gradients zeroed, as CaseTimer's JSON line with
     * {@code extra}.
     */
    private Map<String, Object> timeStep(String name, Supplier<NDArray> loss, Map<String, Object> extra) {
        Runnable iteration = () -> {
            try (NDScope scope = new NDScope();
                    GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                gc.backward(loss.get());
                gc.zeroGradients();
            }
        };
        return CaseTimer.time(name, config, iteration, extra);
    }

    private static NDArray randomNormal(NDManager manager, int rows, long seed) {
        Random rnd = new Random(seed);
        float[] v = new float[rows * DIM];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) rnd.nextGaussian();
        }
        return manager.create(v, new Shape(rows, DIM)).toType(DataType.FLOAT32, false);
    }

    /** P classes with K items each, in a shuffled order. */
    static long[] pxkLabels(int classes, int perClass, long seed) {
        long[] labels = new long[classes * perClass];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = i / perClass;
        }
        Random rnd = new Random(seed + 1);
        for (int i = labels.length - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            long t = labels[i];
            labels[i] = labels[j];
            labels[j] = t;
        }
        return labels;
    }
}
