package org.metric4j.train;

import ai.djl.Device;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import org.metric4j.math.Inputs;
import org.metric4j.schedule.Schedule;

/**
 * The immutable configuration of a training run. Everything that decides the result is here
 * (and is written into each checkpoint), so a run can be resumed and reproduced.
 */
public final class TrainConfig {

    /** Optimizers. */
    public enum OptimizerKind {
        /** SGD with momentum. */
        SGD,
        /** Adam (L2 weight decay added to the gradient). */
        ADAM,
        /** AdamW (decoupled weight decay, {@code torch.optim.AdamW}). */
        ADAMW;

        /** The optimizer a name gives ("sgd", "adam" or "adamw", any case). */
        public static OptimizerKind parse(String name) {
            if ("sgd".equalsIgnoreCase(name)) {
                return SGD;
            }
            if ("adam".equalsIgnoreCase(name)) {
                return ADAM;
            }
            if ("adamw".equalsIgnoreCase(name)) {
                return ADAMW;
            }
            throw new IllegalArgumentException("optimizer must be sgd, adam or adamw, got '" + name + "'");
        }
    }

    private final int epochs;
    private final long seed;
    private final OptimizerKind optimizer;
    private final double momentum;
    private final Function<Integer, Schedule> learningRate;
    private final double weightDecay;
    private final boolean weightDecayAll;
    private final double clipGradNorm;
    private final int gradientAccumulation;
    private final boolean flip;
    private final double headLearningRateFactor;
    private final Path outputDir;
    private final boolean progressBar;
    private final Device device;
    private final int evalEvery;
    private final String bestMetric;
    private final java.util.function.Consumer<Path> bestModelFiles;
    private final Map<String, String> description;

    private TrainConfig(Builder b) {
        this.epochs = b.epochs;
        this.seed = b.seed;
        this.optimizer = b.optimizer;
        this.momentum = b.momentum;
        this.learningRate = b.learningRate;
        this.weightDecay = b.weightDecay;
        this.weightDecayAll = b.weightDecayAll;
        this.clipGradNorm = b.clipGradNorm;
        this.gradientAccumulation = b.gradientAccumulation;
        this.flip = b.flip;
        this.headLearningRateFactor = b.headLearningRateFactor;
        this.outputDir = b.outputDir;
        this.progressBar = b.progressBar;
        this.device = b.device;
        this.evalEvery = b.evalEvery;
        this.bestMetric = b.bestMetric;
        this.bestModelFiles = b.bestModelFiles;
        this.description = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(b.description));
    }

    /** A builder. */
    public static Builder builder() {
        return new Builder();
    }

    /** Epochs to train. */
    public int epochs() {
        return epochs;
    }

    /** The seed of initialization, sampling and dropout. */
    public long seed() {
        return seed;
    }

    /** The optimizer. */
    public OptimizerKind optimizer() {
        return optimizer;
    }

    /** SGD momentum. */
    public double momentum() {
        return momentum;
    }

    /** The learning-rate schedule, given the iterations per epoch. */
    public Schedule learningRate(int iterationsPerEpoch) {
        return learningRate.apply(iterationsPerEpoch);
    }

    /** Weight decay: of weights only, or of every parameter when {@link #weightDecayAll()}. */
    public double weightDecay() {
        return weightDecay;
    }

    /**
     * Whether weight decay applies to every trained parameter (biases, BatchNorm, PReLU included), as
     * arcface_torch's {@code torch.optim.SGD(params=backbone.parameters() + head)} does; false (the
     * default): only parameters of type {@code WEIGHT}.
     */
    public boolean weightDecayAll() {
        return weightDecayAll;
    }

    /**
     * The maximum global L2 norm of the backbone's gradients ({@code
     * torch.nn.utils.clip_grad_norm_(backbone.parameters(), max)}, arcface_torch: 5), 0 for none.
     */
    public double clipGradNorm() {
        return clipGradNorm;
    }

    /** Batches whose gradients are summed before each optimizer step (arcface_torch's {@code gradient_acc}). */
    public int gradientAccumulation() {
        return gradientAccumulation;
    }

    /** Whether training images are flipped horizontally with probability 0.5. */
    public boolean flip() {
        return flip;
    }

    /** The heads' learning rate as a multiple of the backbone's. */
    public double headLearningRateFactor() {
        return headLearningRateFactor;
    }

    /** Where checkpoints, logs and exports go (null: nothing is written). */
    public Path outputDir() {
        return outputDir;
    }

    /** Whether to draw a progress bar on stderr. */
    public boolean progressBar() {
        return progressBar;
    }

    /** The device of the model, its parameters and every batch (default {@link Device#cpu()}). */
    public Device device() {
        return device;
    }

    /** Evaluate every this many epochs (and after the last). */
    public int evalEvery() {
        return evalEvery;
    }

    /** The metric whose highest value picks the {@code best} model, or null (no best model kept). */
    public String bestMetric() {
        return bestMetric;
    }

    /** Writes the files beside a saved model's parameters (its description), or does nothing. */
    public java.util.function.Consumer<Path> bestModelFiles() {
        return bestModelFiles;
    }

    /**
     * The recorded configuration of the run, in the order it was given: the command line writes
     * every option with its default filled in ({@code option.NAME}), the components it built
     * ({@code component.NAME}) and the versions ({@code version.NAME}); the trainer adds its own
     * components and writes the whole map into every checkpoint.
     */
    public Map<String, String> description() {
        return description;
    }

    /** Builder of {@link TrainConfig}. */
    public static final class Builder {
        private int epochs = 1;
        private long seed = 1;
        private OptimizerKind optimizer = OptimizerKind.SGD;
        private double momentum = SgdMomentum.DEFAULT_MOMENTUM;
        private Function<Integer, Schedule> learningRate = perEpoch -> Schedule.constant(0.01);
        private double weightDecay = 5e-4;
        private boolean weightDecayAll;
        private double clipGradNorm;
        private int gradientAccumulation = 1;
        private boolean flip;
        private double headLearningRateFactor = 1;
        private Path outputDir;
        private boolean progressBar = true;
        private Device device = Device.cpu();
        private int evalEvery = 1;
        private String bestMetric;
        private java.util.function.Consumer<Path> bestModelFiles = d -> { };
        private final Map<String, String> description = new LinkedHashMap<>();

        /** Epochs (default 1). */
        public Builder optEpochs(int epochs) {
            Inputs.atLeast("epochs", epochs, 1);
            this.epochs = epochs;
            return this;
        }

        /** Seed (default 1). */
        public Builder optSeed(long seed) {
            this.seed = seed;
            return this;
        }

        /** Optimizer (default SGD with momentum 0.9). */
        public Builder optOptimizer(OptimizerKind optimizer, double momentum) {
            if (!(momentum >= 0 && momentum < 1)) {
                throw new IllegalArgumentException("momentum must be in [0, 1), got " + momentum);
            }
            this.optimizer = optimizer;
            this.momentum = momentum;
            return this;
        }

        /** A constant learning rate (default 0.01). */
        public Builder optLearningRate(double lr) {
            if (!(lr > 0)) {
                throw new IllegalArgumentException("learning rate must be > 0, got " + lr);
            }
            this.learningRate = perEpoch -> Schedule.constant(lr);
            return this;
        }

        /** A learning-rate schedule built from the number of iterations per epoch. */
        public Builder optLearningRate(Function<Integer, Schedule> schedule) {
            this.learningRate = schedule;
            return this;
        }

        /** Weight decay (default 5e-4). */
        public Builder optWeightDecay(double wd) {
            if (!(wd >= 0)) {
                throw new IllegalArgumentException("weight decay must be >= 0, got " + wd);
            }
            this.weightDecay = wd;
            return this;
        }

        /** Weight decay of every parameter, not only weights (default false). */
        public Builder optWeightDecayAll(boolean all) {
            this.weightDecayAll = all;
            return this;
        }

        /** Clip the backbone's gradients to this global L2 norm (default 0: no clipping). */
        public Builder optClipGradNorm(double maxNorm) {
            if (!(maxNorm >= 0) || Double.isInfinite(maxNorm)) {
                throw new IllegalArgumentException("clip-grad-norm must be >= 0 (0: none), got " + maxNorm);
            }
            this.clipGradNorm = maxNorm;
            return this;
        }

        /** Batches per optimizer step, gradients summed (default 1). */
        public Builder optGradientAccumulation(int batches) {
            if (batches < 1) {
                throw new IllegalArgumentException("grad-accumulation must be >= 1 batches, got " + batches);
            }
            this.gradientAccumulation = batches;
            return this;
        }

        /** Random horizontal flips of training images, p = 0.5 (default false). */
        public Builder optFlip(boolean flip) {
            this.flip = flip;
            return this;
        }

        /** Heads' learning rate factor (default 1). */
        public Builder optHeadLearningRateFactor(double f) {
            if (!(f > 0)) {
                throw new IllegalArgumentException("head learning rate factor must be > 0, got " + f);
            }
            this.headLearningRateFactor = f;
            return this;
        }

        /** Output directory (default none). */
        public Builder optOutputDir(Path dir) {
            this.outputDir = dir;
            return this;
        }

        /** Progress bar (default on). */
        public Builder optProgressBar(boolean on) {
            this.progressBar = on;
            return this;
        }

        /** The device to train on (default {@link Device#cpu()}). */
        public Builder optDevice(Device device) {
            this.device = java.util.Objects.requireNonNull(device, "device");
            return this;
        }

        /** Evaluation period in epochs (default 1). */
        /**
         * Keeps the model of the evaluation with the highest {@code metric} in {@code
         * OUTPUT/best} (parameters, {@code best.json}, and what {@code modelFiles} writes there),
         * as InsightFace keeps the model of the best verification accuracy.
         *
         * @param metric a metric name of the evaluators (e.g. {@code lfw_accuracy})
         * @param modelFiles writes the model description files into the directory it is given
         */
        public Builder optBest(String metric, java.util.function.Consumer<Path> modelFiles) {
            this.bestMetric = metric;
            this.bestModelFiles = modelFiles == null ? d -> { } : modelFiles;
            return this;
        }

        public Builder optEvalEvery(int epochs) {
            Inputs.atLeast("evalEvery", epochs, 1);
            this.evalEvery = epochs;
            return this;
        }

        /** Adds a provenance entry (kept in the order added; a key given again is replaced). */
        public Builder describe(String key, String value) {
            description.put(key, value);
            return this;
        }

        /** The configuration. */
        public TrainConfig build() {
            return new TrainConfig(this);
        }
    }
}
