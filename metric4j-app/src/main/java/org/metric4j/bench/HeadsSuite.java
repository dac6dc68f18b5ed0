package org.metric4j.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import java.util.BitSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import org.metric4j.engine.BenchConfig;
import org.metric4j.head.ClassScores;
import org.metric4j.head.PartialCosineClassifier;
import org.metric4j.head.SampledBatch;
import org.metric4j.loss.ArcFaceLoss;
import org.metric4j.loss.CosFaceLoss;
import org.metric4j.loss.MarginSoftmaxLoss;
import org.metric4j.loss.NormalizedSoftmaxLoss;
import org.metric4j.loss.SphereFaceLoss;

/**
 * The heads suite (issue #3): classification heads of face recognition on random normal float32
 * inputs, batch 256, 512-d.
 *
 * <ul>
 *   <li>{@code gemm_b256_c10k}, {@code gemm_b256_c100k}: the three matrix products a cosine
 *       head cannot avoid, forward \( \hat{x}\hat{W} \) (B x D times D x C) and the two backward
 *       products (B x C times C x D, D x B times B x C), without autograd. Printed first.
 *   <li>{@code cosface/arcface/sphereface/normalized_softmax_b256_c10k}, {@code
 *       arcface_b256_c100k}: forward + backward of {@link ClassScores#of} and the loss with
 *       respect to the embeddings and the D x C weights. Each line carries {@code gemm_ratio}
 *       (its median over the median of the gemm line of the same class count, named in {@code
 *       gemm_case}) when that line ran in the same invocation, and {@code paired_ratio}: the
 *       same products timed in the same loop, one round of them before each iteration of the
 *       head ({@link CaseTimer#timePaired}), so that both medians come from the same minutes of
 *       the machine.
 *   <li>{@code partial_arcface_b256_c1m_r01}: a {@link PartialCosineClassifier} over 1,000,000
 *       classes at sample rate 0.1; one iteration is a full train step (sample, forward,
 *       backward to embeddings and sampled rows, SGD-momentum update). At least {@value
 *       #MIN_PARTIAL_STEPS} steps run (warm-up + timed, reported as {@code steps}); its gemm
 *       line is the one of the sampled class count.
 *   <li>{@code gather_gemm_b256_c1m_r01}, printed before the partial line: the partial step's
 *       floor (issue #17), the three products at the r C sampled classes plus the gather of those
 *       r C rows from the C x D weights and the scatter of the updated rows back; the partial
 *       line carries {@code gather_ratio} over it and, timed in the same loop on weights of its
 *       own, {@code paired_ratio}.
 * </ul>
 */
final class HeadsSuite {

    /** The fewest train steps of the partial case (warm-up + timed). */
    static final int MIN_PARTIAL_STEPS = 20;
    /** The learning rate of the partial case's update. */
    static final double LEARNING_RATE = 0.1;

    /**
     * The sizes of the suite; case names follow them ({@code b256}, {@code c10k}, {@code r01}).
     *
     * @param batch B
     * @param dim D
     * @param classes C of the plain loss cases (10k)
     * @param manyClasses C of the large ArcFace case (100k)
     * @param hugeClasses C of the partial case (1M)
     * @param sampleRate r of the partial case
     * @param minPartialSteps the fewest train steps of the partial case
     */
    record Sizes(int batch, int dim, int classes, int manyClasses, int hugeClasses,
            double sampleRate, int minPartialSteps) {
        /** The sizes of issue #3. */
        static final Sizes FULL =
                new Sizes(256, 512, 10_000, 100_000, 1_000_000, 0.1, MIN_PARTIAL_STEPS);
    }

    private final BenchConfig config;
    private final Sizes sizes;
    private final Gson gson = new GsonBuilder().disableHtmlEscaping().create();
    /** Median ms of the gemm lines measured in this run, by class count. */
    private final Map<Long, Double> gemmMedians = new HashMap<>();
    private final Map<Long, String> gemmNames = new HashMap<>();

    HeadsSuite(BenchConfig config) {
        this(config, Sizes.FULL);
    }

    /** A suite of other sizes (tests run it tiny). */
    HeadsSuite(BenchConfig config, Sizes sizes) {
        this.config = config;
        this.sizes = sizes;
    }

    void run(Consumer<String> out) {
        gemmCase(sizes.classes(), out);
        gemmCase(sizes.manyClasses(), out);
        lossCase("cosface", sizes.classes(), CosFaceLoss.builder().build(), out);
        lossCase("arcface", sizes.classes(), ArcFaceLoss.builder().build(), out);
        lossCase("sphereface", sizes.classes(), SphereFaceLoss.builder().build(), out);
        lossCase("normalized_softmax", sizes.classes(), NormalizedSoftmaxLoss.builder().build(), out);
        lossCase("arcface", sizes.manyClasses(), ArcFaceLoss.builder().build(), out);
        partialCase(gatherCase(out), out);
    }

    private String partialName() {
        return "partial_arcface" + partialSuffix();
    }

    /** The partial step's baseline: the same sizes as {@link #partialName}. */
    private String gatherName() {
        return "gather_gemm" + partialSuffix();
    }

    private String partialSuffix() {
        return name("", sizes.hugeClasses()) + "_r" + String.valueOf(sizes.sampleRate()).replace(".", "");
    }

    /**
     * The partial step's unavoidable work without autograd: gather the sampled rows of the C x D
     * weights, the three products at the sampled class count, scatter the rows back.
     *
     * @return the median ms, or null when not selected
     */
    private Double gatherCase(Consumer<String> out) {
        int c = sizes.hugeClasses();
        String name = gatherName();
        if (!config.selects(name)) {
            return null;
        }
        int sampled = sampledCount();
        try (NDManager manager = NDManager.newBaseManager(config.device())) {
            Runnable iteration = gatherIteration(manager);
            Map<String, Object> extra = sizesOf(c, GATHER_WORK);
            extra.put("sample_rate", sizes.sampleRate());
            extra.put("sampled_classes", sampled);
            Map<String, Object> json = CaseTimer.time(name, config, iteration, extra);
            out.accept(gson.toJson(json));
            return (Double) json.get("ms_median");
        }
    }

    private static final String GATHER_WORK = "gather S rows, matMul x3, scatter S rows";

    /** One iteration of the gather baseline on arrays of its own in {@code manager}. */
    private Runnable gatherIteration(NDManager manager) {
        int c = sizes.hugeClasses();
        int b = sizes.batch();
        int d = sizes.dim();
        int sampled = sampledCount();
        Engine.getInstance().setRandomSeed((int) config.seed());
        NDArray w = manager.randomNormal(new Shape(c, d));
        NDArray x = manager.randomNormal(new Shape(b, d));
        NDArray g = manager.randomNormal(new Shape(b, sampled));
        Random rnd = new Random(config.seed());
        return () -> {
            try (NDScope scope = new NDScope()) {
                NDArray idx = manager.create(sampledClasses(rnd, c, sampled));
                NDIndex index = new NDIndex("{}, :", idx);
                NDArray rows = w.get(index); // S x D
                x.matMul(rows.transpose()); // forward: B x D times D x S
                g.matMul(rows); // d/dx: B x S times S x D
                NDArray grad = g.transpose().matMul(x); // d/dW of the rows: S x B times B x D
                w.set(index, rows.subi(grad.muli(1e-6)));
            }
        };
    }

    /** S = round(r C), the classes one partial step samples. */
    private int sampledCount() {
        return (int) Math.round(sizes.sampleRate() * sizes.hugeClasses());
    }

    /** S distinct classes of C, sorted (the partial head samples without repeats). */
    private static long[] sampledClasses(Random rnd, int c, int s) {
        BitSet chosen = new BitSet(c);
        long[] out = new long[s];
        int n = 0;
        while (n < s) {
            int k = rnd.nextInt(c);
            if (!chosen.get(k)) {
                chosen.set(k);
                n++;
            }
        }
        int i = 0;
        for (int k = chosen.nextSetBit(0); k >= 0; k = chosen.nextSetBit(k + 1)) {
            out[i++] = k;
        }
        return out;
    }

    private void gemmCase(int classes, Consumer<String> out) {
        String name = name("gemm", classes);
        if (!config.selects(name)) {
            return;
        }
        try (NDManager manager = NDManager.newBaseManager(config.device())) {
            Map<String, Object> json = CaseTimer.time(name, config, gemmIteration(manager, classes),
                    sizesOf(classes, "matMul x3 (forward, d/dx, d/dW)"));
            gemmMedians.put((long) classes, (Double) json.get("ms_median"));
            gemmNames.put((long) classes, name);
            out.accept(gson.toJson(json));
        }
    }

    /** One iteration of the three products at {@code classes}, on arrays of its own in {@code manager}. */
    private Runnable gemmIteration(NDManager manager, int classes) {
        Engine.getInstance().setRandomSeed((int) config.seed() + 1);
        NDArray x = manager.randomNormal(new Shape(sizes.batch(), sizes.dim()));
        NDArray w = manager.randomNormal(new Shape(sizes.dim(), classes));
        NDArray g = manager.randomNormal(new Shape(sizes.batch(), classes));
        return () -> {
            try (NDScope scope = new NDScope()) {
                x.matMul(w); // forward: B x D times D x C
                g.matMul(w.transpose()); // d/dx: B x C times C x D
                x.transpose().matMul(g); // d/dW: D x B times B x C
            }
        };
    }

    private void lossCase(String prefix, int classes, MarginSoftmaxLoss loss, Consumer<String> out) {
        String name = name(prefix, classes);
        if (!config.selects(name)) {
            return;
        }
        int b = sizes.batch();
        int d = sizes.dim();
        try (NDManager manager = NDManager.newBaseManager(config.device())) {
            Engine.getInstance().setRandomSeed((int) config.seed());
            NDArray x0 = manager.randomNormal(new Shape(b, d));
            NDArray w0 = manager.randomNormal(new Shape(d, classes));
            NDArray labels = manager.create(randomLabels(new Random(config.seed()), b, classes));
            Runnable iteration = () -> {
                try (NDScope scope = new NDScope();
                        GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    // fresh leaves sharing the data: no gradient accumulates across iterations
                    NDArray x = leaf(x0);
                    NDArray w = leaf(w0);
                    gc.backward(loss.compute(ClassScores.of(x, w, 1), labels));
                }
            };
            Runnable gemm = gemmIteration(manager, classes);
            Map<String, Object> json = CaseTimer.timePaired(name, config, iteration,
                    name("gemm", classes), gemm, sizesOf(classes, loss.toString()));
            addGemmRatio(json, classes);
            out.accept(gson.toJson(json));
        }
    }

    private void partialCase(Double gather, Consumer<String> out) {
        int c = sizes.hugeClasses();
        String name = partialName();
        if (!config.selects(name)) {
            return;
        }
        int b = sizes.batch();
        int d = sizes.dim();
        MarginSoftmaxLoss loss = ArcFaceLoss.builder().build();
        try (NDManager manager = NDManager.newBaseManager(config.device())) {
            Engine.getInstance().setRandomSeed((int) config.seed());
            long t0 = System.nanoTime();
            PartialCosineClassifier head = PartialCosineClassifier.builder().setNumClasses(c)
                    .setEmbeddingSize(d).optSampleRate(sizes.sampleRate()).optSeed(config.seed())
                    .build();
            head.initialize(manager, DataType.FLOAT32);
            double initMs = (System.nanoTime() - t0) / 1e6;
            NDArray x0 = manager.randomNormal(new Shape(b, d));
            Random rnd = new Random(config.seed());
            Runnable step = () -> {
                try (NDScope scope = new NDScope();
                        GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    NDArray x = leaf(x0);
                    SampledBatch batch = head.sample(x, manager.create(randomLabels(rnd, b, c)));
                    gc.backward(loss.compute(batch.scores(), batch.labels()));
                    head.update(batch, LEARNING_RATE);
                }
            };
            int timed = Math.max(config.iterations(), sizes.minPartialSteps() - config.warmup());
            BenchConfig steps = config.withIterations(config.warmup(), timed);
            Map<String, Object> extra = sizesOf(c, loss.toString());
            extra.put("head", head.toString());
            extra.put("sample_rate", sizes.sampleRate());
            extra.put("sampled_classes", head.sampleSize());
            extra.put("learning_rate", LEARNING_RATE);
            extra.put("steps", steps.warmup() + steps.iterations());
            extra.put("init_ms", CaseTimer.round(initMs));
            Runnable floor = gatherIteration(manager);
            Map<String, Object> json = CaseTimer.timePaired(name, steps, step, gatherName(), floor, extra);
            addGemmRatio(json, head.sampleSize());
            if (gather != null && gather > 0) {
                json.put("gather_case", gatherName());
                json.put("gather_ratio", CaseTimer.round((Double) json.get("ms_median") / gather));
            }
            out.accept(gson.toJson(json));
        }
    }

    private void addGemmRatio(Map<String, Object> json, long classes) {
        Double gemm = gemmMedians.get(classes);
        if (gemm != null && gemm > 0) {
            json.put("gemm_case", gemmNames.get(classes));
            json.put("gemm_ratio", CaseTimer.round((Double) json.get("ms_median") / gemm));
        }
    }

    private Map<String, Object> sizesOf(int classes, String what) {
        Map<String, Object> extra = new LinkedHashMap<>();
        extra.put("batch", sizes.batch());
        extra.put("classes", classes);
        extra.put("dim", sizes.dim());
        extra.put("dtype", "float32");
        extra.put("loss", what);
        return extra;
    }

    private static NDArray leaf(NDArray data) {
        NDArray leaf = data.stopGradient();
        leaf.setRequiresGradient(true);
        return leaf;
    }

    private String name(String prefix, int classes) {
        return prefix + "_b" + sizes.batch() + "_c" + count(classes);
    }

    /** A class count as in the case names: 10000 -> 10k, 1000000 -> 1m, 50 -> 50. */
    static String count(long n) {
        if (n >= 1_000_000 && n % 1_000_000 == 0) {
            return n / 1_000_000 + "m";
        }
        if (n >= 1000 && n % 1000 == 0) {
            return n / 1000 + "k";
        }
        return Long.toString(n);
    }

    static long[] randomLabels(Random rnd, int b, int classes) {
        long[] y = new long[b];
        for (int i = 0; i < b; i++) {
            y[i] = rnd.nextInt(classes);
        }
        return y;
    }
}
