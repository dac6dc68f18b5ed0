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
import org.metric4j.schedule.TrainingClock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains a backbone with one or more weighted loss components (and their heads) on a labelled
 * image set: seeded initialization, the batches of a {@link BatchPlan}, SGD with momentum or Adam
 * (state saved), learning-rate schedule and a separate head learning rate, the loss schedules of a
 * shared {@link TrainingClock}, the center update rule, evaluation every epoch, a CSV log of every
 * metric and a checkpoint every epoch. {@link #fit()} resumes from the newest checkpoint of the
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
        this.optimizer = config.optimizer() == TrainConfig.OptimizerKind.ADAM
                ? new Adam(manager)
                : new SgdMomentum(manager, config.momentum());
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
                    optimizer.loadState(opt, manager);
                    clock.set(state.iteration());
                    history.addAll(state.history());
                    start = state.epoch() + 1;
                    resumed = state.epoch();
                    resumeFrom = state.partial();
                    LOG.info("resumed from {} (epoch {}{})", latest, state.epoch() + 2, resumeFrom == null ? ""
                            : ", step " + (resumeFrom.steps() + 1));
                }
            }
            for (int epoch = start; epoch < config.epochs(); epoch++) {
                EpochRecord record = trainEpoch(epoch);
                boolean evaluate = (epoch + 1) % config.evalEvery() == 0 || epoch == config.epochs() - 1;
                if (evaluate) {
                    for (EpochEvaluator e : evaluators) {
                        record = record.withMetrics(e.evaluate(backbone, manager));
                    }
                }
                history.add(record);
                if (out != null) {
                    writeCsv(out.resolve("metrics.csv"), history);
                    Checkpoint.save(out, new Checkpoint.State(epoch, clock.iteration(), history,
                            recorded), backbone, heads, optimizer.state());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("training output in " + out + ": " + e.getMessage(), e);
        }
        return new TrainResult(history, resumed, List.copyOf(stepLosses));
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
                    NDArray x = train.batch(manager, idx);
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
                        gc.backward(sum);
                    }
                    update(backbone, "backbone", rate);
                    for (int k = 0; k < heads.size(); k++) {
                        if (optimizedHeads.contains(heads.get(k))) {
                            update(heads.get(k), "head" + k, rate * config.headLearningRateFactor());
                        }
                    }
                    optimizer.nextStep();
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
            Checkpoint.save(out, new Checkpoint.State(epoch - 1, clock.iteration(), history, recorded,
                    partial), backbone, heads, optimizer.state());
            Path saved = Checkpoint.latest(out);
            return new Stopped("training stopped after step " + steps + " of epoch " + (epoch + 1) + "; checkpoint "
                    + saved + " (continue with the same options and --resume)", saved);
        } catch (IOException e) {
            throw new UncheckedIOException("could not write the checkpoint of the stopped run in " + out, e);
        }
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
            double wd = param.getType() == Parameter.Type.WEIGHT ? config.weightDecay() : 0;
            optimizer.update(prefix + "/" + p.getKey(), w, g, rate, wd);
            g.muli(0);
        }
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
