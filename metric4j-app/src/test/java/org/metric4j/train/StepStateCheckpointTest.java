package org.metric4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.metric4j.TestDevice;
import org.metric4j.loss.DynamicSoftMarginLoss;
import org.metric4j.loss.MetricLoss;
import org.metric4j.math.NDMath;
import org.metric4j.model.LeNetPlusPlus;
import org.metric4j.schedule.StepState;
import org.metric4j.schedule.StepUpdate;
import org.metric4j.schedule.TrainingClock;
import org.metric4j.train.EmbeddingTrainerTest.TinyImages;

/**
 * Loss state that checkpoints hold ({@link StepState}): the trainer calls each such loss's
 * {@code afterStep} once per step, saves its state with every checkpoint and restores it on
 * resume, for any StepState (a counting stand-in) and for {@code dynamic-soft-margin}: a run
 * stopped after epoch 1 and resumed ends with the uninterrupted run's histogram and losses.
 */
class StepStateCheckpointTest {

    private static final int CLASSES = 6;
    private static final int PER_CLASS = 8;
    private static final int STEPS = 2;

    /** A pair loss whose state counts its steps; its value depends on the count. */
    static final class CountingLoss extends MetricLoss implements StepUpdate, StepState {
        long steps;
        long evaluations;
        private NDManager own;

        CountingLoss() {
            super("CountingLoss");
        }

        @Override
        public NDArray compute(NDArray embeddings, NDArray labels) {
            evaluations++;
            return NDMath.times(NDMath.total(embeddings.square()), 1.0 / (1 + steps));
        }

        @Override
        public void afterStep(NDList labels, NDList predictions) {
            steps++;
        }

        @Override
        public NDList saveState() {
            if (own == null) {
                own = NDManager.newBaseManager();
            }
            return new NDList(own.create(steps));
        }

        @Override
        public void loadState(NDList state, NDManager manager) {
            steps = state.get(0).toLongArray()[0];
        }
    }

    private static EmbeddingTrainer trainer(LossComponent c, Path out, int epochs, TinyImages data, TrainingClock clock) {
        TrainConfig config = TrainConfig.builder().optDevice(TestDevice.get()).optEpochs(epochs).optSeed(3)
                .optLearningRate(0.003).optOptimizer(TrainConfig.OptimizerKind.ADAM, 0).optOutputDir(out)
                .optProgressBar(false).build();
        return new EmbeddingTrainer(config, LeNetPlusPlus.create(8), List.of(c), data,
                EmbeddingTrainerTest.shuffled(data.size(), 24, 3), List.of(), clock);
    }

    @Test
    void anyStepStateIsUpdatedOncePerStepSavedAndRestored(@TempDir Path dir) {
        TinyImages data = new TinyImages(1, CLASSES, PER_CLASS); // 48 images, batches of 24: 2 steps per epoch
        CountingLoss loss = new CountingLoss();
        TrainingClock clock = new TrainingClock();
        try (EmbeddingTrainer t = trainer(LossComponent.metric(loss, 1), dir, 2, data, clock)) {
            t.fit();
        }
        assertEquals(2 * STEPS, loss.steps, "afterStep once per step");
        assertEquals(2 * STEPS, loss.evaluations, "the trainer evaluates once per step");
        assertTrue(Files.isRegularFile(dir.resolve("checkpoints/epoch-0001/" + Checkpoint.lossStateFile(0))));
        CountingLoss resumed = new CountingLoss();
        try (EmbeddingTrainer t = trainer(LossComponent.metric(resumed, 1), dir, 3, data, new TrainingClock())) {
            TrainResult r = t.fit();
            assertEquals(1, r.resumedFromEpoch());
        }
        assertEquals(3 * STEPS, resumed.steps, "the saved count and the steps of epoch 3");
    }

    @Test
    void aResumedDynamicSoftMarginRunEndsWithTheUninterruptedRunsHistogramAndLosses(@TempDir Path dir)
            throws java.io.IOException {
        TinyImages data = new TinyImages(2, CLASSES, PER_CLASS);
        String spec = "dynamic-soft-margin:momentum=0.2";
        TrainResult whole;
        double[] wholeHistogram;
        try (Run run = new Run(spec, dir.resolve("whole"), 2, data)) {
            whole = run.trainer.fit();
            wholeHistogram = run.loss.storedHistogram();
        }
        Path parts = dir.resolve("parts");
        double[] afterOne;
        try (Run run = new Run(spec, parts, 1, data)) {
            run.trainer.fit();
            afterOne = run.loss.storedHistogram();
        }
        assertTrue(java.util.Arrays.stream(afterOne).sum() > 0.99, java.util.Arrays.toString(afterOne));
        // the same checkpoint without the loss state: epoch 2 starts from an empty histogram
        Path stateless = dir.resolve("stateless");
        copy(parts, stateless);
        Files.delete(stateless.resolve("checkpoints/epoch-0000/" + Checkpoint.lossStateFile(0)));
        try (Run run = new Run(spec, stateless, 2, data)) {
            List<Double> losses = run.trainer.fit().stepLosses();
            assertTrue(Math.abs(losses.get(STEPS) - whole.stepLosses().get(STEPS)) > 1e-4,
                    "a fresh histogram gives another loss: " + losses.get(STEPS) + " vs " + whole.stepLosses().get(STEPS));
        }
        TrainResult resumed;
        try (Run run = new Run(spec, parts, 2, data)) {
            resumed = run.trainer.fit();
            assertEquals(0, resumed.resumedFromEpoch());
            double[] h = run.loss.storedHistogram();
            for (int i = 0; i < h.length; i++) {
                assertEquals(wholeHistogram[i], h[i], 1e-6, "bin " + i);
            }
        }
        List<Double> a = whole.stepLosses();
        List<Double> b = resumed.stepLosses();
        assertEquals(2 * STEPS, a.size());
        assertEquals(a.size(), b.size());
        for (int i = 0; i < a.size(); i++) {
            assertEquals(a.get(i), b.get(i), 1e-6, "step " + i);
        }
        assertEquals(whole.last().loss(), resumed.last().loss(), 1e-6);
    }

    private static void copy(Path from, Path to) {
        try (java.util.stream.Stream<Path> files = Files.walk(from)) {
            for (Path p : files.toList()) {
                Files.copy(p, to.resolve(from.relativize(p).toString()));
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void theSpecTakesItsKeysAndNamesABadValue() {
        Spec spec = Spec.parse("dynamic-soft-margin:min_val=-1,num_bins=8,momentum=0.5");
        LossComponent c = Components.LOSSES.create(spec, new Components.Context(CLASSES, new TrainingClock()));
        assertEquals(LossComponent.Kind.METRIC, c.kind());
        assertTrue(c.toString().contains("DynamicSoftMarginLoss(minVal=-1.0, numBins=8, momentum=0.5"), c.toString());
        assertTrue(c.stepState() instanceof DynamicSoftMarginLoss);
        assertEquals("dynamic-soft-margin:min_val=-1.0,momentum=0.5,num_bins=8,weight=1.0", spec.resolved());
        LossComponent defaults = Components.LOSSES.create("dynamic-soft-margin",
                new Components.Context(CLASSES, new TrainingClock()));
        assertTrue(defaults.toString().contains("minVal=-2.0, numBins=10, momentum=0.01"), defaults.toString());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Components.LOSSES.create("dynamic-soft-margin:momentum=2",
                        new Components.Context(CLASSES, new TrainingClock())));
        assertTrue(e.getMessage().contains("'dynamic-soft-margin': momentum") && e.getMessage().contains("2.0"),
                e.getMessage());
        assertTrue(Components.LOSSES.help().get("dynamic-soft-margin")
                .contains("(parameters: min_val, miner, momentum, num_bins, weight)"));
        LossComponent mined = Components.LOSSES.create("dynamic-soft-margin:miner=batch-hard",
                new Components.Context(CLASSES, new TrainingClock()));
        assertTrue(mined.toString().contains("miner=BatchHardMiner"), mined.toString());
    }

    /** A trainer with one dynamic-soft-margin term. */
    private static final class Run implements AutoCloseable {
        final EmbeddingTrainer trainer;
        final DynamicSoftMarginLoss loss;

        Run(String spec, Path out, int epochs, TinyImages data) {
            TrainingClock clock = new TrainingClock();
            LossComponent c = Components.LOSSES.create(spec, new Components.Context(data.numClasses(), clock));
            this.loss = (DynamicSoftMarginLoss) c.stepState();
            this.trainer = trainer(c, out, epochs, data, clock);
        }

        @Override
        public void close() {
            trainer.close();
        }
    }
}
