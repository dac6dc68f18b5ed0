package org.metric4j.loss;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import ai.djl.metric.Metrics;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.ParallelBlock;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.EasyTrain;
import ai.djl.training.ParameterStore;
import ai.djl.training.Trainer;
import ai.djl.training.dataset.ArrayDataset;
import ai.djl.training.listener.EvaluatorTrainingListener;
import ai.djl.training.listener.TrainingListenerAdapter;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import ai.djl.translate.TranslateException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.metric4j.head.ClassCenters;
import org.metric4j.schedule.LinearWarmup;
import org.metric4j.schedule.StepListener;
import org.metric4j.schedule.TrainingClock;

/**
 * {@link JointLoss} under a plain DJL {@code Trainer} and {@code EasyTrain.fit}: every component
 * is logged as {@code train_epoch_<component>} and the loss as the weighted total, and a
 * component's per-step state (the center update rule) changes exactly once per step.
 */
class JointLossTrainerTest {

    private static final int CLASSES = 4;
    private static final int IN = 6;
    private static final int DIM = 3;
    private static final int BATCH = 8;

    /** [logits, embeddings, centers] from a linear embedder, a linear classifier and class centers. */
    private static SequentialBlock model() {
        ParallelBlock heads = new ParallelBlock(lists -> {
            NDList out = new NDList();
            lists.forEach(out::addAll);
            return out;
        }, List.of(Linear.builder().setUnits(CLASSES).build(), ClassCenters.of(CLASSES)));
        return new SequentialBlock().add(Linear.builder().setUnits(DIM).build()).add(heads);
    }

    private static ArrayDataset data(NDManager manager, long seed, int batches) {
        NDList xy = arrays(manager, seed, batches);
        return new ArrayDataset.Builder().setData(xy.get(0)).optLabels(xy.get(1)).setSampling(BATCH, false).build();
    }

    /** [inputs N x IN, labels N] with N = batches * BATCH. */
    private static NDList arrays(NDManager manager, long seed, int batches) {
        Random rnd = new Random(seed);
        float[] xs = new float[batches * BATCH * IN];
        float[] ys = new float[batches * BATCH];
        for (int i = 0; i < ys.length; i++) {
            ys[i] = i % CLASSES;
            for (int j = 0; j < IN; j++) {
                xs[i * IN + j] = (float) rnd.nextGaussian() + (j % CLASSES == ys[i] ? 2f : 0f);
            }
        }
        return new NDList(manager.create(xs, new Shape(ys.length, IN)), manager.create(ys));
    }

    private static DefaultTrainingConfig config(JointLoss loss) {
        return loss.newTrainingConfig().optOptimizer(Optimizer.sgd().setLearningRateTracker(Tracker.fixed(0.1f)).build());
    }

    @Test
    void aDjlTrainerLogsEachComponentAndTheWeightedTotal() throws IOException, TranslateException {
        long seed = 11;
        double lambda = 0.3;
        SoftmaxLoss softmax = new SoftmaxLoss();
        CenterLoss center = new CenterLoss();
        JointLoss loss = JointLoss.builder().add(softmax, 1, 0).add(center, lambda, 1, 2).build();
        int batches = 3;
        // an independent record of each component on the trainer's own predictions, per batch
        List<double[]> seen = new ArrayList<>();
        try (NDManager manager = NDManager.newBaseManager(); Model model = Model.newInstance("joint")) {
            model.setBlock(model());
            DefaultTrainingConfig config = config(loss).addTrainingListeners(new TrainingListenerAdapter() {
                @Override
                public void onTrainingBatch(Trainer trainer, BatchData batch) {
                    NDList y = batch.getLabels().values().iterator().next();
                    NDList p = batch.getPredictions().values().iterator().next();
                    seen.add(new double[] {
                        softmax.evaluate(y, new NDList(p.get(0))).getFloat(),
                        center.evaluate(y, new NDList(p.get(1), p.get(2))).getFloat()});
                }
            }, new EvaluatorTrainingListener());
            try (Trainer trainer = model.newTrainer(config)) {
                trainer.setMetrics(new Metrics());
                trainer.initialize(new Shape(BATCH, IN));
                EasyTrain.fit(trainer, 1, data(manager, seed, batches), null);
                Metrics metrics = trainer.getMetrics();
                assertEquals(batches, seen.size(), "seed " + seed + ": batches seen by the listener");
                double softmaxMean = seen.stream().mapToDouble(v -> v[0]).average().orElseThrow();
                double centerMean = seen.stream().mapToDouble(v -> v[1]).average().orElseThrow();
                double loggedSoftmax = metrics.latestMetric("train_epoch_SoftmaxLoss").getValue().doubleValue();
                double loggedCenter = metrics.latestMetric("train_epoch_CenterLoss").getValue().doubleValue();
                double loggedTotal = metrics.latestMetric("train_epoch_JointLoss").getValue().doubleValue();
                assertEquals(softmaxMean, loggedSoftmax, 1e-5, "seed " + seed + ": logged softmax part");
                assertEquals(centerMean, loggedCenter, 1e-5, "seed " + seed + ": logged center part");
                assertEquals(softmaxMean + lambda * centerMean, loggedTotal, 1e-5,
                        "seed " + seed + ": logged total is the weighted sum of the parts");
                assertTrue(Math.abs(loggedTotal - (loggedSoftmax + loggedCenter)) > 1e-3,
                        "seed " + seed + ": the total must not be DJL's unweighted sum, got " + loggedTotal
                                + " with parts " + loggedSoftmax + ", " + loggedCenter);
            }
        }
    }

    @Test
    void aDjlTrainerStepMovesTheCentersByTheRuleExactlyOnce() throws IOException, TranslateException {
        long seed = 5;
        CenterUpdate rule = new CenterUpdate(0.5);
        JointLoss loss = JointLoss.builder()
                .add(new SoftmaxLoss(), 1, 0)
                .add(new CenterLoss(rule), 0.1, 1, 2)
                .build();
        TrainingClock clock = new TrainingClock();
        try (NDManager manager = NDManager.newBaseManager(); Model model = Model.newInstance("joint")) {
            SequentialBlock block = model();
            model.setBlock(block);
            DefaultTrainingConfig config = config(loss)
                    .addTrainingListeners(new EvaluatorTrainingListener(), new StepListener(clock, List.of(loss)));
            try (Trainer trainer = model.newTrainer(config)) {
                trainer.initialize(new Shape(BATCH, IN));
                ClassCenters centersBlock = (ClassCenters) ((ParallelBlock) block.getChildren().get(1).getValue())
                        .getChildren().get(1).getValue();
                centersBlock.centers().freeze(true);
                ArrayDataset one = data(manager, seed, 1);
                NDList xy = arrays(manager, seed, 1);
                NDArray xs = xy.get(0);
                NDArray ys = xy.get(1);
                NDList before = block.forward(new ParameterStore(manager, false), new NDList(xs), false);
                NDArray c0 = before.get(2).duplicate();
                NDArray once = rule.apply(c0, before.get(1), ys.toType(DataType.INT64, false));
                NDArray twice = rule.apply(once, before.get(1), ys.toType(DataType.INT64, false));
                float[] expected = once.toFloatArray();
                assertTrue(maxAbsDiff(expected, twice.toFloatArray()) > 1e-4,
                        "seed " + seed + ": the test needs one and two updates to differ");

                EasyTrain.fit(trainer, 1, one, null);

                assertEquals(1, clock.iteration(), "seed " + seed + ": the clock ticks once per step");
                float[] after = centersBlock.centers().getArray().toFloatArray();
                assertArrayEquals(expected, after, 1e-5f,
                        "seed " + seed + ": the centers moved by the rule exactly once in one trainer step");
            }
        }
    }

    @Test
    void theClockTicksOncePerStepOverAnEpoch() throws IOException, TranslateException {
        TrainingClock clock = new TrainingClock();
        List<Long> seenByHook = new ArrayList<>();
        JointLoss loss = JointLoss.builder().add(new SoftmaxLoss(), 1, 0).build();
        try (NDManager manager = NDManager.newBaseManager(); Model model = Model.newInstance("joint")) {
            model.setBlock(model());
            DefaultTrainingConfig config = config(loss).addTrainingListeners(new EvaluatorTrainingListener(),
                    new StepListener(clock, List.of((labels, predictions) -> seenByHook.add(clock.iteration()))));
            try (Trainer trainer = model.newTrainer(config)) {
                trainer.initialize(new Shape(BATCH, IN));
                EasyTrain.fit(trainer, 2, data(manager, 3, 5), null);
            }
        }
        assertEquals(10, clock.iteration(), "2 epochs x 5 steps");
        // a loss parameter scheduled on the same clock follows the trainer
        CosFaceLoss cosFace = CosFaceLoss.builder().optMargin(new LinearWarmup(0, 0.4, 20), clock).build();
        assertEquals(0.2, cosFace.currentMargin(), 1e-12, "margin warm-up half way after 10 of 20 steps");
        List<Long> expected = new ArrayList<>();
        for (long i = 0; i < 10; i++) {
            expected.add(i);
        }
        assertEquals(expected, seenByHook, "the hook runs once per step, before the clock ticks");
    }

    @Test
    void evaluateChangesNoStateSoDjlsSecondEvaluationForLoggingIsHarmless() {
        long seed = 21;
        Random rnd = new Random(seed);
        int b = 12;
        int d = 5;
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray x = org.metric4j.math.NDTestSupport.array(manager,
                    org.metric4j.math.NDTestSupport.gaussian(rnd, b * d), b, d, DataType.FLOAT32);
            long[] ys = new long[b];
            for (int i = 0; i < b; i++) {
                ys[i] = i % 4;
            }
            NDList labels = new NDList(manager.create(ys));
            for (LossCatalog.Case c : LossCatalog.all()) {
                MetricLoss loss = c.loss();
                float first = loss.evaluate(labels, new NDList(x)).getFloat();
                float second = loss.evaluate(labels, new NDList(x)).getFloat();
                assertEquals(first, second, 0f, "seed " + seed + ": " + c + " changed between two evaluations");
            }
            // a center loss with its rule leaves the centers alone in evaluate
            NDArray centers = manager.randomNormal(new Shape(4, d));
            float[] before = centers.toFloatArray();
            CenterLoss center = new CenterLoss(new CenterUpdate(0.5));
            center.evaluate(labels, new NDList(x, centers));
            center.evaluate(labels, new NDList(x, centers));
            assertArrayEquals(before, centers.toFloatArray(), 0f, "CenterLoss.evaluate moved the centers");
            center.afterStep(labels, new NDList(x, centers));
            assertTrue(maxAbsDiff(before, centers.toFloatArray()) > 1e-4, "afterStep moves the centers");
        }
    }

    private static double maxAbsDiff(float[] a, float[] b) {
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }
}
