package org.metric4j.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.metric4j.dataset.LabeledImages;
import org.metric4j.math.NDMath;
import org.metric4j.math.Seeds;
import org.metric4j.schedule.Schedule;
import org.metric4j.schedule.StepState;
import org.metric4j.schedule.TrainingClock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains a backbone with one or more weighted loss components (and their heads) on a labelled
 * image set: seeded initialization, the batches of a {@link BatchPlan} (optionally flipped), SGD with
 * momentum, Adam or AdamW (state saved), weight decay of weights or of every parameter, the
 * backbone's gradients clipped to a global norm, gradients accumulated over several batches per
 * optimizer step (arcface_torch's {@code gradient_acc}: summed, the loss not divided; the
 * schedule advances per batch), learning-rate schedule and a separate head learning rate, the loss schedules of a
 * shared {@link TrainingClock}, the center update rule and the once-per-step update of every loss
 * that has one, evaluation every epoch, a CSV log of every metric and a checkpoint every epoch
 * (with the state of every loss that is a {@link StepState}). {@link #fit()} resumes from the newest checkpoint of the
 * output directory; since every random choice is a function of (seed, epoch, step) (the batches
 * of the plan are a function of (seed, epoch), and the engine is reseeded before every step, so
 * dropout masks are too), a run resumed at an epoch's end or in the middle of one reproduces
 * the uninterrupted one.
 */
public final class EmbeddingTrainer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddingTrainer.class);

    private final TrainConfig config;
    private final Block backbone;
    private final List<LossComponent> components;
    private final LabeledImages train;
    private final BatchPlan plan;
    private final List<EpochEvaluator> evaluators;
    private final TrainingClock clock;
    private final NDManager manager;
    private final ParameterStore ps;
    private final ParameterOptimizer optimizer;
    private final List<Block> heads = new ArrayList<>();
    private final Set<Block> optimizedHeads = new LinkedHashSet<>();
    private final List<Double> stepLosses = new ArrayList<>();
    private final Set<String> warnedZero = new java.util.HashSet<>();
    private volatile boolean stopRequested;
    private Embedder.Cache finalEmbeddings;
    private List<EpochRecord> history = new ArrayList<>();
    private EpochProgress resumeFrom;
    private final Map<String, String> recorded;

    /**
     * A trainer.
     *
     * @param config the run's configuration
     * @param backbone the network (not yet initialized)
     * @param components the weighted loss terms and their heads
     * @param train the training images
     * @param plan the batches of each epoch
     * @param evaluators evaluations after each epoch (may be empty)
     * @param clock the clock the losses' schedules read (advanced once per step)
     */
    public EmbeddingTrainer(TrainConfig config, Block backbone, List<LossComponent> components,
            LabeledImages train, BatchPlan plan, List<EpochEvaluator> evaluators, TrainingClock clock) {
        if (components.isEmpty()) {
            throw new IllegalArgumentException("components must name at least one loss");
        }
        this.config = config;
        this.backbone = backbone;
        this.components = List.copyOf(components);
        this.train = train;
        this.plan = plan;
        this.evaluators = List.copyOf(evaluators);
        this.clock = clock;
        this.manager = NDManager.newBaseManager(config.device());
        this.ps = new ParameterStore(manager, false);
        this.optimizer = switch (config.optimizer()) {
            case ADAM -> new Adam(manager);
            case ADAMW -> new AdamW(manager);
            case SGD -> new SgdMomentum(manager, config.momentum());
        };
        for (LossComponent c : components) {
            if (c.head() != null && !heads.contains(c.head())) {
                heads.add(c.head());
                if (c.headTrainedByOptimizer()) {
                    optimizedHeads.add(c.head());
                }
            }
        }
        initialize();
        Map<String, String> r = new LinkedHashMap<>(config.description());
        r.putAll(components());
        this.recorded = java.util.Collections.unmodifiableMap(r);
    }

    /**
     * The trainer's components, each as its full {@code toString()} (all its parameters), keyed
     * {@code component.NAME}: the backbone (DJL's description of the initialized network), each
     * loss term with its weight and head, the optimizer, the learning-rate schedule (for the
     * iterations of the first epoch), the weight decay and the heads' learning-rate factor.
     */
    public Map<String, String> components() {
        Map<String, String> c = new LinkedHashMap<>();
        c.put("component.backbone", backbone.toString());
        for (int k = 0; k < components.size(); k++) {
            c.put("component.loss." + k, components.get(k).toString());
        }
        c.put("component.optimizer", optimizer.toString());
        c.put("component.lr", config.learningRate(plan.batches(0).length).toString());
        c.put("component.weight-decay", String.valueOf(config.weightDecay()));
        c.put("component.weight-decay-of", config.weightDecayAll() ? "all parameters" : "weights");
        c.put("component.clip-grad-norm", config.clipGradNorm() == 0 ? "none"
                : "backbone global L2 norm <= " + config.clipGradNorm());
        c.put("component.grad-accumulation", String.valueOf(config.gradientAccumulation()));
        c.put("component.flip", config.flip() ? "horizontal, p=0.5" : "none");
        c.put("component.head-lr-factor", String.valueOf(config.headLearningRateFactor()));
        c.put("component.seed", String.valueOf(config.seed()));
        c.put("component.epochs", String.valueOf(config.epochs()));
        return c;
    }

    /** What every checkpoint records: {@link TrainConfig#description()} and {@link #components()}. */
    public Map<String, String> recordedConfiguration() {
        return recorded;
    }

    private void initialize() {
        Engine.getInstance().setRandomSeed((int) config.seed());
        Shape input = new Shape(2, train.channels(), train.height(), train.width());
        backbone.initialize(manager, DataType.FLOAT32, input);
        Shape embedding = backbone.getOutputShapes(new Shape[] {input})[0];
        for (Block head : heads) {
            head.initialize(manager, DataType.FLOAT32, embedding);
            if (!optimizedHeads.contains(head)) {
                head.freezeParameters(true);
            }
        }
    }

    /** The backbone (trained in place). */
    public Block backbone() {
        return backbone;
    }

    /** The manager that owns the parameters. */
    public NDManager manager() {
        return manager;
    }

    /**
     * Trains for the configured epochs, resuming from the newest checkpoint of the output
     * directory when there is one.
     *
     * @return the per-epoch history
     */
    public TrainResult fit() {
        history = new ArrayList<>();
        resumeFrom = null;
        stepLosses.clear();
        int start = 0;
        int resumed = -1;
        Path out = config.outputDir();
        try {
            if (out != null) {
                Files.createDirectories(out);
                Path latest = Checkpoint.latest(out);
                if (latest != null) {
                    Checkpoint.State state = Checkpoint.readState(latest);
                    NDList opt = Checkpoint.load(latest, backbone, heads, manager);
                    reattachGradients(backbone);
                    heads.forEach(EmbeddingTrainer::reattachGradients);
                    optimizer.loadState(restorePendingGradients(opt), manager);
                    restoreLossStates(latest);
                    clock.set(state.iteration());
                    history.addAll(state.history());
                    start = state.epoch() + 1;
                    resumed = state.epoch();
                    resumeFrom = state.partial();
                    stepLosses.addAll(readStepLosses(out.resolve(STEP_LOSSES), state.iteration()));
                    LOG.info("resumed from {} (epoch {}{})", latest, state.epoch() + 2, resumeFrom == null ? ""
                            : ", step " + (resumeFrom.steps() + 1));
                }
            }
            for (int epoch = start; epoch < config.epochs(); epoch++) {
                EpochRecord record = trainEpoch(epoch);
                boolean evaluate = (epoch + 1) % config.evalEvery() == 0 || epoch == config.epochs() - 1;
                if (evaluate) {
                    EpochRecord trained = record;
                    Embedder.Cache cache = new Embedder.Cache();
                    finalEmbeddings = epoch == config.epochs() - 1 ? cache : null;
                    record = cache.use(() -> {
                        EpochRecord r = trained;
                        for (EpochEvaluator e : evaluators) {
                            r = r.withMetrics(e.evaluate(backbone, manager));
                        }
                        return r;
                    });
                }
                if (out != null && evaluate && config.bestMetric() != null) {
                    keepIfBest(out, record);
                }
                history.add(record);
                if (out != null) {
                    writeCsv(out.resolve("metrics.csv"), history);
                    writeStepLosses(out.resolve(STEP_LOSSES), stepLosses);
                    saveCheckpoint(out, new Checkpoint.State(epoch, clock.iteration(), history, recorded));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("training output in " + out + ": " + e.getMessage(), e);
        }
        return new TrainResult(history, resumed, List.copyOf(stepLosses));
    }

    /**
     * Runs {@code session} (e.g. a report's embeddings after {@link #fit()}) with the embeddings
     * the last epoch's evaluation computed, so that the same images are not embedded again; without
     * them (nothing evaluated yet in this trainer's life), it computes them.
     *
     * @param session what reads the trained backbone's embeddings (do not train inside it)
     * @param <T> what it returns
     * @return its result
     */
    public <T> T withFinalEmbeddings(java.util.function.Supplier<T> session) {
        return finalEmbeddings == null ? Embedder.cached(session) : finalEmbeddings.use(session);
    }

    /**
     * Asks a running {@link #fit()} to stop before its next step (safe from any thread, e.g. a
     * shutdown hook on Ctrl-C). With an output directory, the trainer first writes a checkpoint
     * of the steps done so far, from which {@code fit()} resumes mid-epoch; then {@code fit()}
     * throws {@link Stopped}.
     */
    public void requestStop() {
        stopRequested = true;
    }

    /** Thrown by {@link #fit()} after {@link #requestStop()}. */
    public static final class Stopped extends IllegalStateException {
        private final transient Path checkpoint;

        Stopped(String message, Path checkpoint) {
            super(message);
            this.checkpoint = checkpoint;
        }

        /** The checkpoint written before stopping, or null (no output directory, nothing done). */
        public Path checkpoint() {
            return checkpoint;
        }
    }

    private EpochRecord trainEpoch(int epoch) {
        int[][] batches = plan.batches(epoch);
        if (batches.length == 0) {
            throw new IllegalStateException("the batch plan gave no batch for epoch " + epoch);
        }
        Schedule lr = config.learningRate(batches.length);
        double lossSum = 0;
        double[] partSums = new double[components.size()];
        long images = 0;
        long loopNanos = 0;
        double secondsBefore = 0;
        int first = 0;
        SelectionTally tally = new SelectionTally(components.size());
        if (resumeFrom != null) { // a checkpoint taken inside this epoch: skip the steps it holds
            tally.restore(resumeFrom.selectionSums());
            first = resumeFrom.steps();
            lossSum = resumeFrom.lossSum();
            images = resumeFrom.images();
            secondsBefore = resumeFrom.seconds();
            for (int k = 0; k < partSums.length; k++) {
                partSums[k] = resumeFrom.componentLossSum(k);
            }
            resumeFrom = null;
        }
        long t0 = System.nanoTime();
        StepProgress bar = config.progressBar()
                ? StepProgress.open(String.format("epoch %d/%d", epoch + 1, config.epochs()), batches.length) : null;
        if (bar != null && first > 0) {
            bar.stepTo(first);
        }
        try {
            for (int step = first; step < batches.length; step++) {
                if (stopRequested) {
                    throw stop(epoch, step, lossSum, partSums, tally, images,
                            secondsBefore + (System.nanoTime() - t0) / 1e9);
                }
                int[] idx = batches[step];
                long b0 = System.nanoTime();
                reseed(epoch, step);
                double rate = lr.valueAt(clock.iteration());
                try (NDScope scope = new NDScope()) {
                    NDArray x = config.flip() ? flip(train.batch(manager, idx), epoch, step)
                            : train.batch(manager, idx);
                    NDArray y = train.labels(manager, idx);
                    long b1 = System.nanoTime();
                    double[] parts = new double[components.size()];
                    double total;
                    NDArray features;
                    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        NDArray emb = backbone.forward(ps, new NDList(x), true).head();
                        features = emb.stopGradient();
                        NDArray sum = null;
                        for (int k = 0; k < components.size(); k++) {
                            LossComponent c = components.get(k);
                            NDArray l = c.loss(ps, emb, y, true);
                            parts[k] = l.getFloat();
                            tally.add(k, parts[k], c.lastSelection());
                            NDArray weighted = c.weight() == 1 ? l : NDMath.times(l, c.weight());
                            sum = sum == null ? weighted : sum.add(weighted);
                        }
                        total = sum.getFloat();
                        if (!Double.isFinite(total)) {
                            throw new IllegalStateException("loss is " + total + " at iteration "
                                    + clock.iteration() + " (epoch " + (epoch + 1) + "); lower the learning rate");
                        }
                        gc.backward(sum); // adds to the gradients of the batches not yet stepped
                    }
                    if ((clock.iteration() + 1) % config.gradientAccumulation() == 0) {
                        if (config.clipGradNorm() > 0) {
                            clipGradNorm(backbone, config.clipGradNorm());
                        }
                        update(backbone, "backbone", rate);
                        for (int k = 0; k < heads.size(); k++) {
                            if (optimizedHeads.contains(heads.get(k))) {
                                update(heads.get(k), "head" + k, rate * config.headLearningRateFactor());
                            }
                        }
                        optimizer.nextStep();
                    }
                    for (LossComponent c : components) {
                        c.afterStep(features, y);
                    }
                    long b3 = System.nanoTime();
                    lossSum += total;
                    stepLosses.add(total);
                    for (int k = 0; k < parts.length; k++) {
                        partSums[k] += parts[k];
                    }
                    images += idx.length;
                    clock.advance();
                    if (bar != null) {
                        bar.step(String.format(java.util.Locale.ROOT, " loss %.4f lr %.3g %.0f img/s",
                                total, rate, images / ((System.nanoTime() - t0) / 1e9)) + selectionMessage(tally));
                    }
                    loopNanos += (b1 - b0) + (System.nanoTime() - b3);
                }
            }
        } finally {
            if (bar != null) {
                bar.close();
            }
        }
        double seconds = secondsBefore + (System.nanoTime() - t0) / 1e9;
        Map<String, Double> componentLosses = new LinkedHashMap<>();
        for (int k = 0; k < components.size(); k++) {
            componentLosses.put(components.get(k).name(), partSums[k] / batches.length);
        }
        List<String> names = components.stream().map(LossComponent::name).toList();
        for (int k = 0; k < components.size(); k++) {
            if (tally.selects(k) && tally.zeroFraction(k) > 0.5 && warnedZero.add(names.get(k))) {
                LOG.warn("{}: {} of the steps of epoch {} had a loss of 0 (mean selection {} per step): its miner or"
                        + " margin selects nothing for most batches", names.get(k),
                        String.format(java.util.Locale.ROOT, "%.0f%%", 100 * tally.zeroFraction(k)), epoch + 1,
                        String.format(java.util.Locale.ROOT, "%.1f", tally.meanSelected(k)));
            }
        }
        return new EpochRecord(epoch + 1, clock.iteration(), lossSum / batches.length, componentLosses,
                lr.valueAt(Math.max(0, clock.iteration() - 1)), seconds, images / seconds, loopNanos / 1e9 / seconds,
                tally.metrics(names));
    }

    /** The selecting components' mean selection and zero-loss steps so far, for the progress line. */
    private String selectionMessage(SelectionTally tally) {
        StringBuilder sb = new StringBuilder();
        for (int k = 0; k < components.size(); k++) {
            if (tally.selects(k)) {
                sb.append(String.format(java.util.Locale.ROOT, " %s selected %.1f zero %.0f%%",
                        components.get(k).name(), tally.meanSelected(k), 100 * tally.zeroFraction(k)));
            }
        }
        return sb.toString();
    }

    /**
     * Seeds the engine's generator for one step. DJL exposes no generator state to save, so every
     * draw of the step (dropout masks, anything else the engine samples) is made a function of
     * (seed, epoch, step) instead: a run resumed at any step draws what the uninterrupted run drew.
     */
    private void reseed(int epoch, int step) {
        Engine.getInstance().setRandomSeed(stepSeed(config.seed(), epoch, step));
    }

    /** The engine seed of a step: {@link Seeds#mix} of (seed, epoch, step), folded to an int. */
    static int stepSeed(long seed, int epoch, int step) {
        long h = Seeds.mix(seed, epoch, step, 0x57E9L);
        return (int) (h ^ (h >>> 32));
    }

    /** Writes the mid-epoch checkpoint (when there is an output and a step was done) and the exception. */
    private Stopped stop(int epoch, int steps, double lossSum, double[] partSums, SelectionTally tally, long images,
            double seconds) {
        Path out = config.outputDir();
        if (out == null || steps == 0) {
            Path last = null;
            String unlisted = null;
            try {
                last = out == null ? null : Checkpoint.latest(out);
            } catch (IOException e) {
                unlisted = e.getMessage();
            }
            return new Stopped("training stopped before step " + (steps + 1) + " of epoch " + (epoch + 1)
                    + (out == null ? " (no output directory: nothing saved)"
                            : unlisted != null ? " (the checkpoints cannot be listed: " + unlisted + ")"
                            : last == null ? " (no checkpoint yet: nothing to resume)"
                                    : "; checkpoint " + last + " (the previous epoch's end; continue with the same"
                                            + " options and --resume)"), last);
        }
        EpochProgress partial = new EpochProgress(steps, lossSum, images, seconds,
                java.util.Arrays.stream(partSums).boxed().toList(), tally.toMap());
        try {
            saveCheckpoint(out, new Checkpoint.State(epoch - 1, clock.iteration(), history, recorded, partial));
            writeStepLosses(out.resolve(STEP_LOSSES), stepLosses);
            Path saved = Checkpoint.latest(out);
            return new Stopped("training stopped after step " + steps + " of epoch " + (epoch + 1) + "; checkpoint "
                    + saved + " (continue with the same options and --resume)", saved);
        } catch (IOException e) {
            throw new UncheckedIOException("could not write the checkpoint of the stopped run in " + out, e);
        }
    }

    /**
     * Saves the backbone to {@code OUTPUT/best} when this epoch's value of the best metric is
     * higher than every earlier epoch's (the history is in the checkpoints, so a resumed run
     * compares with the same values): parameters, {@code best.json} (metric, value, epoch,
     * iteration) and the configured model files, written in {@code best.tmp} and then moved over
     * the previous best.
     */
    private void keepIfBest(Path out, EpochRecord record) throws IOException {
        String metric = config.bestMetric();
        Double value = record.metrics().get(metric);
        if (value == null || value.isNaN()) {
            throw new IllegalStateException("the best model is chosen by '" + metric + "', which the evaluators did not"
                    + " report; they reported " + record.metrics().keySet());
        }
        for (EpochRecord earlier : history) {
            Double v = earlier.metrics().get(metric);
            if (v != null && v >= value) {
                return;
            }
        }
        Path tmp = out.resolve("best.tmp");
        Path best = out.resolve("best");
        org.metric4j.io.FileTrees.delete(tmp);
        Files.createDirectories(tmp);
        Checkpoint.writeParams(tmp.resolve("backbone.params"), backbone);
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("metric", metric);
        info.put("value", value);
        info.put("epoch", record.epoch());
        info.put("iteration", record.iteration());
        Files.writeString(tmp.resolve("best.json"), new com.google.gson.GsonBuilder().setPrettyPrinting().create()
                .toJson(info), StandardCharsets.UTF_8);
        config.bestModelFiles().accept(tmp);
        org.metric4j.io.FileTrees.delete(best);
        Files.move(tmp, best);
        LOG.info("best {} {} at epoch {}: saved {}", metric, value, record.epoch(), best);
    }

    /** Loaded parameter arrays are new arrays: mark the trainable ones for gradients again. */
    private static void reattachGradients(Block block) {
        for (Pair<String, Parameter> p : block.getParameters()) {
            if (p.getValue().requiresGradient()) {
                p.getValue().getArray().setRequiresGradient(true);
            }
        }
    }

    /** One optimizer step for every trainable parameter of a block, then zeroes its gradients. */
    private void update(Block block, String prefix, double rate) {
        for (Pair<String, Parameter> p : block.getParameters()) {
            Parameter param = p.getValue();
            if (!param.requiresGradient()) {
                continue;
            }
            NDArray w = param.getArray();
            NDArray g = w.getGradient();
            double wd = weightDecay(param, config);
            optimizer.update(prefix + "/" + p.getKey(), w, g, rate, wd);
            g.muli(0);
        }
    }

    /**
     * The weight decay of a parameter: the configured one for weights, or for every parameter with
     * {@link TrainConfig#weightDecayAll()} (biases, BatchNorm's gamma and beta, PReLU's alpha, as
     * torch's optimizers given {@code model.parameters()}); 0 otherwise.
     */
    static double weightDecay(Parameter param, TrainConfig config) {
        return config.weightDecayAll() || param.getType() == Parameter.Type.WEIGHT ? config.weightDecay() : 0;
    }

    /**
     * {@code torch.nn.utils.clip_grad_norm_(block.parameters(), maxNorm)}: the L2 norm of all the
     * block's gradients together, \( n = \sqrt{\sum_i \lVert g_i \rVert^2} \); when
     * \( c = maxNorm / (n + 10^{-6}) < 1 \) every gradient is multiplied by c.
     *
     * @return the norm before clipping
     */
    static double clipGradNorm(Block block, double maxNorm) {
        List<NDArray> grads = new ArrayList<>();
        double squares = 0;
        for (Pair<String, Parameter> p : block.getParameters()) {
            if (p.getValue().requiresGradient()) {
                NDArray g = p.getValue().getArray().getGradient();
                double n = g.norm().getFloat();
                squares += n * n;
                grads.add(g);
            }
        }
        double norm = Math.sqrt(squares);
        double coefficient = maxNorm / (norm + 1e-6);
        for (NDArray g : grads) {
            if (coefficient < 1) {
                g.muli(coefficient);
            }
            g.close();
        }
        return norm;
    }

    /**
     * The training images of a step, each flipped horizontally (the width axis) with probability
     * 0.5 (torchvision's {@code RandomHorizontalFlip()} in arcface_torch's image-folder pipeline),
     * drawn from a generator seeded by (seed, epoch, step): a resumed run flips what the
     * uninterrupted one flipped.
     */
    private NDArray flip(NDArray x, int epoch, int step) {
        return flip(x, flips(config.seed(), epoch, step, (int) x.getShape().get(0)));
    }

    /** The N x C x H x W images with those of {@code flipped} mirrored along W. */
    static NDArray flip(NDArray x, boolean[] flipped) {
        NDArray mask = x.getManager().create(flipped).reshape(flipped.length, 1, 1, 1).broadcast(x.getShape());
        return ai.djl.ndarray.NDArrays.where(mask, x.flip(3), x);
    }

    /** Which images of a step's batch are flipped: p = 0.5 each, a function of (seed, epoch, step). */
    static boolean[] flips(long seed, int epoch, int step, int batch) {
        java.util.SplittableRandom random = new java.util.SplittableRandom(Seeds.mix(seed, epoch, step, 0xF11BL));
        boolean[] flipped = new boolean[batch];
        for (int i = 0; i < batch; i++) {
            flipped[i] = random.nextDouble() < 0.5;
        }
        return flipped;
    }

    private static final String PENDING = "__pending-gradient/";

    /** The state of every loss term that keeps one ({@link StepState}), by the term's index. */
    private Map<Integer, NDList> lossStates() {
        Map<Integer, NDList> states = new LinkedHashMap<>();
        for (int k = 0; k < components.size(); k++) {
            StepState s = components.get(k).stepState();
            if (s != null) {
                states.put(k, s.saveState());
            }
        }
        return states;
    }

    /**
     * Loads the saved state of every loss term that keeps one; a checkpoint without it (written
     * before the loss kept a state) leaves the fresh state, with a warning.
     */
    private void restoreLossStates(Path checkpoint) throws IOException {
        for (int k = 0; k < components.size(); k++) {
            StepState s = components.get(k).stepState();
            if (s == null) {
                continue;
            }
            NDList saved = Checkpoint.loadLossState(checkpoint, k, manager);
            if (saved == null) {
                LOG.warn("{} holds no state of loss term {} ({}): it continues from a fresh state", checkpoint, k,
                        components.get(k).name());
                continue;
            }
            try {
                s.loadState(saved, manager);
            } catch (IllegalArgumentException e) {
                throw new IllegalStateException("the state of loss term " + k + " (" + components.get(k).name()
                        + ") in " + checkpoint + " does not fit the loss: " + e.getMessage(), e);
            }
        }
    }

    private void saveCheckpoint(Path out, Checkpoint.State state) throws IOException {
        NDList saved = savedState();
        try {
            Checkpoint.save(out, state, backbone, heads, saved, lossStates());
        } finally {
            for (NDArray a : saved) {
                if (a.getName() != null && a.getName().startsWith(PENDING)) {
                    a.close(); // a gradient handle, not the gradient itself
                }
            }
        }
    }

    /**
     * The optimizer's state, and, between the optimizer steps of a gradient accumulation, the
     * gradients summed so far (named {@value #PENDING} + the parameter's id), so a resumed run adds
     * the next batches to them as the uninterrupted run does.
     */
    private NDList savedState() {
        NDList state = optimizer.state();
        if (clock.iteration() % config.gradientAccumulation() == 0) {
            return state;
        }
        NDList all = new NDList(state);
        forEachTrained((id, w) -> {
            NDArray g = w.getGradient();
            g.setName(PENDING + id);
            all.add(g);
        });
        return all;
    }

    /** Restores the pending gradients of {@link #savedState()} and returns the optimizer's state. */
    private NDList restorePendingGradients(NDList saved) {
        NDList state = new NDList();
        Map<String, NDArray> pending = new LinkedHashMap<>();
        for (NDArray a : saved) {
            if (a.getName() != null && a.getName().startsWith(PENDING)) {
                pending.put(a.getName().substring(PENDING.length()), a);
            } else {
                state.add(a);
            }
        }
        if (pending.isEmpty()) {
            return state;
        }
        // the gradient of sum(w * g) with respect to w is g: one backward writes every saved gradient
        try (NDScope scope = new NDScope();
                GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            List<NDArray> terms = new ArrayList<>();
            forEachTrained((id, w) -> {
                NDArray g = pending.get(id);
                if (g == null) {
                    throw new IllegalStateException("the checkpoint holds no pending gradient of " + id);
                }
                terms.add(w.mul(g).sum());
            });
            NDArray total = terms.get(0);
            for (int k = 1; k < terms.size(); k++) {
                total = total.add(terms.get(k));
            }
            gc.backward(total);
        }
        return state;
    }

    /** Every parameter the optimizer updates, with its state id. */
    private void forEachTrained(java.util.function.BiConsumer<String, NDArray> action) {
        List<Block> blocks = new ArrayList<>();
        List<String> prefixes = new ArrayList<>();
        blocks.add(backbone);
        prefixes.add("backbone");
        for (int k = 0; k < heads.size(); k++) {
            if (optimizedHeads.contains(heads.get(k))) {
                blocks.add(heads.get(k));
                prefixes.add("head" + k);
            }
        }
        for (int b = 0; b < blocks.size(); b++) {
            for (Pair<String, Parameter> p : blocks.get(b).getParameters()) {
                if (p.getValue().requiresGradient()) {
                    action.accept(prefixes.get(b) + "/" + p.getKey(), p.getValue().getArray());
                }
            }
        }
    }

    /**
     * The file of the output directory that holds the total loss of every step so far (one per
     * line), so that a resumed run's {@link TrainResult#stepLosses()} covers the whole run.
     */
    public static final String STEP_LOSSES = "step_losses.txt";

    private static void writeStepLosses(Path file, List<Double> losses) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (double v : losses) {
            sb.append(v).append('\n');
        }
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, sb.toString(), StandardCharsets.UTF_8);
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    /** The first {@code steps} losses of the file (fewer when it is missing or shorter: the losses are a record only). */
    private static List<Double> readStepLosses(Path file, long steps) throws IOException {
        if (!Files.isRegularFile(file)) {
            return List.of();
        }
        return Files.readAllLines(file, StandardCharsets.UTF_8).stream().filter(l -> !l.isBlank()).limit(steps)
                .map(Double::valueOf).toList();
    }

    private static void writeCsv(Path file, List<EpochRecord> records) throws IOException {
        List<Map<String, Double>> history = records.stream().map(EpochRecord::toMap).toList();
        Set<String> columns = new LinkedHashSet<>();
        history.forEach(h -> columns.addAll(h.keySet()));
        StringBuilder sb = new StringBuilder(String.join(",", columns)).append('\n');
        for (Map<String, Double> h : history) {
            List<String> row = new ArrayList<>();
            for (String c : columns) {
                Double v = h.get(c);
                row.add(v == null ? "" : (c.equals("epoch") || c.equals("iteration")
                        ? String.valueOf(v.longValue()) : String.format(java.util.Locale.ROOT, "%.6g", v)));
            }
            sb.append(String.join(",", row)).append('\n');
        }
        Files.writeString(file, sb.toString(), StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        manager.close();
    }
}
