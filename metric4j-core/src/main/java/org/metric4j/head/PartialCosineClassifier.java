package org.metric4j.head;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.util.PairList;
import java.util.Arrays;
import java.util.Random;
import org.metric4j.math.Inputs;
import org.metric4j.math.Seeds;
import org.metric4j.schedule.Schedule;
import org.metric4j.schedule.StepListener;
import org.metric4j.schedule.StepUpdate;
import org.metric4j.schedule.TrainingClock;

/**
 * A partial cosine classifier for huge class counts (PartialFC, An et al. 2022,
 * arXiv:2203.15565): each step scores the batch against a sampled subset of the classes only.
 *
 * <p>The sampled set S holds every class that appears in the batch's labels plus classes drawn
 * uniformly without replacement from the others, so that \( |S| = \max(\mathrm{round}(rC),
 * |\{y_i\}|) \) (sample rate r in (0, 1]). The output is \( \cos\theta_{ij} = \hat{x}_i^T
 * \hat{W}_{s_j} \) for \( s_j \in S \) (ascending class ids), with the labels renumbered into
 * positions of S, so any {@link org.metric4j.loss.MarginSoftmaxLoss} applies unchanged. With r =
 * 1 every class is sampled in order and the head equals a full {@link CosineClassifier}.
 *
 * <p>The sampled rows are copied into their own leaf array (S x D), so autograd never builds a
 * dense C x D gradient. After {@code backward}, {@link #update} applies SGD with momentum and
 * weight decay to those rows only (torch.optim.SGD, no dampening):
 * \( g = \nabla_w + \lambda w,\ v \leftarrow \mu v + g,\ w \leftarrow w - \eta v \), and writes
 * rows and momentum back in place. Rows not sampled keep their weights and their momentum
 * unchanged (PartialFC v1's stale momentum).
 *
 * <p>Why a Block: the weight W (C x D, one row per class; note the transpose of {@link
 * CosineClassifier}'s D x C) and the momentum buffer (C x D) are {@link Parameter}s built with
 * {@code optRequiresGrad(false)}, so they are initialized on the model's manager and saved and
 * loaded with the model ({@code saveParameters}), while a DJL {@code Trainer} and its optimizer
 * never see a gradient for them; the head updates them itself. The sampler is a {@link Random}
 * seeded by {@link Builder#optSeed} (not saved with the parameters); with a {@link
 * Builder#optClock training clock}, each step's sample is drawn from a generator seeded by
 * (seed, clock iteration) instead, so a run resumed at any step (the clock set to the saved
 * iteration) draws the classes the uninterrupted run drew.
 *
 * <p>{@link Update#OPTIMIZER} is PartialFC v2 instead (arcface_torch's {@code partial_fc_v2.py}):
 * the weight is an ordinary trainable parameter, the step gathers the sampled rows from it inside
 * autograd ({@code self.weight[self.weight_index]}), and the run's optimizer updates it like every
 * other parameter: its momentum, weight decay (on every row, sampled or not), AdamW, clipping and
 * gradient accumulation reach it, and only the sampled rows get a nonzero gradient. v2 samples
 * {@code int(r C)} classes (floor, as arcface_torch), or every label of the batch when they are
 * more; there is no momentum buffer and {@link #update} is not used.
 *
 * <p>Use (one step, inside the caller's {@code NDScope} and {@code GradientCollector}):
 *
 * <pre>{@code
 * SampledBatch batch = head.sample(embeddings, labels);
 * NDArray loss = arcFace.compute(batch.scores(), batch.labels());
 * gc.backward(loss);
 * head.update(batch, learningRate); // before the collector closes
 * }</pre>
 *
 * <p>As a Block, {@code forward(parameterStore, data, labels, params)} returns {@link
 * SampledBatch#toList()}; a forward without labels is an error. Under a plain DJL {@code Trainer}
 * train it with {@code org.metric4j.loss.PartialFCLoss} (which reads the renumbered labels) and a
 * {@link StepListener} running {@link #stepUpdate}, so that the rows move once per step. Defaults: sample rate {@value
 * #DEFAULT_SAMPLE_RATE}, momentum {@value #DEFAULT_MOMENTUM}, weight decay {@value
 * #DEFAULT_WEIGHT_DECAY} (InsightFace's arcface_torch), seed {@value #DEFAULT_SEED}, weights
 * normal with sigma {@value CosineClassifier#DEFAULT_SIGMA} (initial weights follow the engine's
 * random seed). Not thread-safe; single device.
 */
public final class PartialCosineClassifier extends AbstractBlock {

    /** Default fraction of the classes scored per step. */
    public static final double DEFAULT_SAMPLE_RATE = 0.1;
    /** Default momentum. */
    public static final double DEFAULT_MOMENTUM = 0.9;
    /** Default weight decay. */
    public static final double DEFAULT_WEIGHT_DECAY = 5e-4;
    /** Default seed of the sampler. */
    public static final long DEFAULT_SEED = 0;

    private final int numClasses;
    private int embeddingSize;
    private final double sampleRate;
    private final long seed;
    private final double momentum;
    private final double weightDecay;
    private final int sampleSize;
    private final Random random;
    private final TrainingClock clock;
    private final Update updateMode;
    private final Parameter weight;
    private final Parameter momentumBuffer;

    private PartialCosineClassifier(Builder b) {
        this.numClasses = b.numClasses;
        this.embeddingSize = b.embeddingSize;
        this.sampleRate = b.sampleRate;
        this.seed = b.seed;
        this.momentum = b.momentum;
        this.weightDecay = b.weightDecay;
        this.updateMode = b.update;
        this.sampleSize = updateMode == Update.SELF ? (int) Math.round(sampleRate * numClasses)
                : Math.max(1, (int) (sampleRate * numClasses));
        this.random = new Random(seed);
        this.clock = b.clock;
        this.weight = addParameter(Parameter.builder()
                .setName("weight")
                .setType(Parameter.Type.WEIGHT)
                .optInitializer(b.initializer)
                .optRequiresGrad(updateMode == Update.OPTIMIZER)
                .build());
        this.momentumBuffer = updateMode == Update.OPTIMIZER ? null : addParameter(Parameter.builder()
                .setName("momentum")
                .setType(Parameter.Type.OTHER)
                .optInitializer(Initializer.ZEROS)
                .optRequiresGrad(false)
                .build());
    }

    /** Who updates the class weights. */
    public enum Update {
        /**
         * PartialFC v1: the head's own SGD on the sampled rows ({@link #update}); the weight has
         * no gradient and the optimizer never sees it.
         */
        SELF,
        /**
         * PartialFC v2: the weight is trainable, the sampled rows are gathered inside autograd,
         * and the run's optimizer updates the whole weight.
         */
        OPTIMIZER
    }

    /** Who updates the class weights. */
    public Update updateMode() {
        return updateMode;
    }

    /** A builder. */
    public static Builder builder() {
        return new Builder();
    }

    /** The number of classes C. */
    public int numClasses() {
        return numClasses;
    }

    /** The embedding size D. */
    public int embeddingSize() {
        return embeddingSize;
    }

    /** The sample rate r. */
    public double sampleRate() {
        return sampleRate;
    }

    /**
     * The number of classes sampled per step unless the batch has more labels: round(r C) for
     * {@link Update#SELF}, int(r C) (at least 1) for {@link Update#OPTIMIZER}.
     */
    public int sampleSize() {
        return sampleSize;
    }

    /** The weight parameter (C x D, one row per class; trainable only for {@link Update#OPTIMIZER}). */
    public Parameter weight() {
        return weight;
    }

    /** The momentum buffer (C x D, no gradient); null for {@link Update#OPTIMIZER}. */
    public Parameter momentumBuffer() {
        return momentumBuffer;
    }

    /**
     * Samples the classes of one step and scores the batch against them.
     *
     * @param embeddings B x D embeddings, of the weight's dtype
     * @param labels B class ids in [0, C)
     * @return the scores, the renumbered labels, the sampled class ids and the leaf rows, all on
     *     the embeddings' manager
     */
    public SampledBatch sample(NDArray embeddings, NDArray labels) {
        if (!isInitialized()) {
            throw new IllegalStateException(
                    "PartialCosineClassifier is not initialized: call initialize(manager, dataType)"
                            + " first");
        }
        long b = Inputs.embeddings("embeddings", embeddings);
        if (embeddings.getShape().get(1) != embeddingSize) {
            throw new IllegalArgumentException("embeddings must be B x " + embeddingSize
                    + " for this head, got shape " + embeddings.getShape());
        }
        NDArray w = weight.getArray();
        if (embeddings.getDataType() != w.getDataType()) {
            throw new IllegalArgumentException("embeddings must have the weight's dtype "
                    + w.getDataType() + ", got " + embeddings.getDataType());
        }
        long[] y = Inputs.classLabels("labels", labels, b, numClasses).toLongArray();
        long[] classes = sampleClasses(y);
        long[] remapped = new long[y.length];
        for (int i = 0; i < y.length; i++) {
            remapped[i] = Arrays.binarySearch(classes, y[i]);
        }
        NDManager manager = embeddings.getManager();
        NDArray idx = manager.create(classes).toDevice(embeddings.getDevice(), false);
        NDArray rows = w.get(new NDIndex("{}", idx));
        rows.attach(manager);
        if (updateMode == Update.SELF) {
            rows.setRequiresGradient(true);
        }
        ClassScores scores = ClassScores.of(embeddings, rows.transpose(), 1);
        return new SampledBatch(scores, manager.create(remapped).toDevice(embeddings.getDevice(), false), idx,
                rows);
    }

    /**
     * The sampled class ids, ascending: every label plus uniform draws without replacement from
     * the other classes (a partial Fisher-Yates shuffle), round(r C) in all unless the labels
     * alone are more.
     */
    long[] sampleClasses(long[] labels) {
        boolean[] positive = new boolean[numClasses];
        int p = 0;
        for (long label : labels) {
            if (!positive[(int) label]) {
                positive[(int) label] = true;
                p++;
            }
        }
        int s = Math.max(sampleSize, p);
        long[] out = new long[s];
        if (s == numClasses) {
            for (int c = 0; c < s; c++) {
                out[c] = c;
            }
            return out;
        }
        Random draws = clock == null ? random : new Random(Seeds.mix(seed, clock.iteration(), 0x9C1A55L));
        int[] others = new int[numClasses - p];
        int n = 0;
        int k = 0;
        for (int c = 0; c < numClasses; c++) {
            if (positive[c]) {
                out[k++] = c;
            } else {
                others[n++] = c;
            }
        }
        for (int i = 0; k < s; i++) {
            int j = i + draws.nextInt(others.length - i);
            int t = others[j];
            others[j] = others[i];
            others[i] = t;
            out[k++] = t;
        }
        Arrays.sort(out);
        return out;
    }

    /**
     * One SGD step with momentum and weight decay on the sampled rows, written back into the
     * weight and the momentum buffer in place. Call it after {@code backward} and before the
     * gradient collector closes (the rows' gradient is read here); without a gradient only the
     * weight decay acts. The batch is consumed: its rows end up holding the updated weights and
     * their gradient the decayed gradient (they serve as scratch space).
     *
     * @param batch the batch of this step (from {@link #sample})
     * @param learningRate the step size eta (> 0)
     */
    public void update(SampledBatch batch, double learningRate) {
        if (updateMode == Update.OPTIMIZER) {
            throw new IllegalStateException("this PartialFC v2 head is updated by the run's optimizer, not by update()");
        }
        Inputs.positive("learningRate", learningRate);
        NDArray w = weight.getArray();
        NDArray v = momentumBuffer.getArray();
        NDArray rows = batch.rows();
        if (rows.getShape().dimension() != 2 || rows.getShape().get(1) != embeddingSize
                || rows.getShape().get(0) != batch.numSampled()) {
            throw new IllegalArgumentException("batch.rows must be " + batch.numSampled() + " x "
                    + embeddingSize + ", got shape " + rows.getShape());
        }
        try (NDScope scope = new NDScope()) {
            NDIndex index = new NDIndex("{}, :", batch.classes());
            // in place where possible: each S x D temporary is a large fresh allocation
            NDArray grad = rows.getGradient();
            NDArray values = rows.stopGradient(); // shares the rows' storage
            if (weightDecay != 0) {
                grad.addi(values.mul(weightDecay));
            }
            NDArray velocity = v.get(new NDIndex("{}", batch.classes()));
            velocity.muli(momentum).addi(grad);
            v.set(index, velocity);
            values.subi(velocity.muli(learningRate));
            w.set(index, values);
        }
    }

    /**
     * This head's {@link #update} as the once-per-step hook of a {@link StepListener}, for a plain
     * DJL {@code Trainer}: the hook reads the step's {@link SampledBatch} from the predictions
     * (this head's output, {@link SampledBatch#toList()}) after the backward pass (DJL's gradient
     * collector keeps the rows' gradient when it closes) and steps with the learning rate of the
     * clock's iteration. Train the loss through {@code PartialFCLoss}, which reads the renumbered
     * labels of the batch.
     *
     * @param learningRate the head's learning rate per iteration
     * @param clock the clock the listener advances
     * @return the hook
     */
    public StepUpdate stepUpdate(Schedule learningRate, TrainingClock clock) {
        if (learningRate == null || clock == null) {
            throw new IllegalArgumentException("learningRate and clock must not be null");
        }
        return (labels, predictions) -> update(SampledBatch.fromList(predictions), learningRate.valueAt(clock.iteration()));
    }

    @Override
    public void prepare(Shape[] inputShapes) {
        if (inputShapes != null && inputShapes.length > 0) {
            Shape in = inputShapes[0];
            long d = in.get(in.dimension() - 1);
            if (embeddingSize == 0) {
                embeddingSize = Math.toIntExact(d);
            } else if (d != embeddingSize) {
                throw new IllegalArgumentException("input shape must end in the embedding size "
                        + embeddingSize + ", got " + in);
            }
        }
        if (embeddingSize == 0) {
            throw new IllegalStateException("the embedding size was not set and no input shape gives it");
        }
        Shape shape = new Shape(numClasses, embeddingSize);
        weight.setShape(shape);
        if (momentumBuffer != null) {
            momentumBuffer.setShape(shape);
        }
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        long b = inputShapes[0].get(0);
        long s = sampleSize;
        return new Shape[] {new Shape(b, s), new Shape(b, 1), new Shape(1, s), new Shape(b),
            new Shape(s), new Shape(s, embeddingSize)};
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        throw new IllegalArgumentException("PartialCosineClassifier needs the labels: call "
                + "forward(parameterStore, data, labels, params) or sample(embeddings, labels)");
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList data, NDList labels, PairList<String, Object> params) {
        if (labels == null || labels.isEmpty()) {
            return forwardInternal(ps, data, true, params);
        }
        return sample(data.head(), labels.head()).toList();
    }

    @Override
    public String toString() {
        return "PartialCosineClassifier(numClasses=" + numClasses + ", embeddingSize="
                + embeddingSize + ", sampleRate=" + sampleRate + ", momentum=" + momentum
                + ", weightDecay=" + weightDecay + ", seed=" + seed + ", update=" + updateMode + ")";
    }

    /** Builder of {@link PartialCosineClassifier}. */
    public static final class Builder {
        private int numClasses;
        private int embeddingSize;
        private double sampleRate = DEFAULT_SAMPLE_RATE;
        private long seed = DEFAULT_SEED;
        private double momentum = DEFAULT_MOMENTUM;
        private double weightDecay = DEFAULT_WEIGHT_DECAY;
        private Initializer initializer = new NormalInitializer(CosineClassifier.DEFAULT_SIGMA);
        private TrainingClock clock;
        private Update update = Update.SELF;

        /**
         * Who updates the class weights (default {@link Update#SELF}, PartialFC v1; {@link
         * Update#OPTIMIZER} is v2, where momentum and weight decay are the optimizer's and this
         * builder's are not used).
         */
        public Builder optUpdate(Update update) {
            this.update = update;
            return this;
        }

        /** The number of classes C (required, >= 1). */
        public Builder setNumClasses(int numClasses) {
            this.numClasses = numClasses;
            return this;
        }

        /** The embedding size D (>= 1; default 0: the last dimension of the input shape at initialization). */
        public Builder setEmbeddingSize(int embeddingSize) {
            this.embeddingSize = embeddingSize;
            return this;
        }

        /** The fraction r of classes scored per step, in (0, 1] (default {@value #DEFAULT_SAMPLE_RATE}). */
        public Builder optSampleRate(double sampleRate) {
            this.sampleRate = sampleRate;
            return this;
        }

        /** The seed of the class sampler (default {@value #DEFAULT_SEED}). */
        public Builder optSeed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * Draws each step's classes from (seed, {@code clock.iteration()}) rather than from one
         * stream (default none: one {@link Random} seeded once, so a resumed run samples anew).
         */
        public Builder optClock(TrainingClock clock) {
            this.clock = clock;
            return this;
        }

        /** The momentum mu, in [0, 1) (default {@value #DEFAULT_MOMENTUM}). */
        public Builder optMomentum(double momentum) {
            this.momentum = momentum;
            return this;
        }

        /** The weight decay lambda, >= 0 (default {@value #DEFAULT_WEIGHT_DECAY}). */
        public Builder optWeightDecay(double weightDecay) {
            this.weightDecay = weightDecay;
            return this;
        }

        /** The weight initializer (default normal, sigma {@value CosineClassifier#DEFAULT_SIGMA}). */
        public Builder optInitializer(Initializer initializer) {
            this.initializer = initializer;
            return this;
        }

        /** The head. */
        public PartialCosineClassifier build() {
            Inputs.atLeast("numClasses", numClasses, 1);
            if (embeddingSize < 0) {
                throw new IllegalArgumentException(
                        "embeddingSize must be >= 1 (or 0: from the input shape), got " + embeddingSize);
            }
            if (!(sampleRate > 0 && sampleRate <= 1)) {
                throw new IllegalArgumentException(
                        "sampleRate must be in (0, 1], got " + sampleRate);
            }
            if (!(momentum >= 0 && momentum < 1)) {
                throw new IllegalArgumentException("momentum must be in [0, 1), got " + momentum);
            }
            Inputs.nonNegative("weightDecay", weightDecay);
            if (initializer == null || update == null) {
                throw new IllegalArgumentException("initializer and update must not be null");
            }
            return new PartialCosineClassifier(this);
        }
    }
}
