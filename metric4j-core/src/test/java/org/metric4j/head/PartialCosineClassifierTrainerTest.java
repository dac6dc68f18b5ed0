package org.metric4j.head;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.EasyTrain;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.Trainer;
import ai.djl.training.dataset.ArrayDataset;
import ai.djl.training.initializer.Initializer;
import ai.djl.training.listener.EvaluatorTrainingListener;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import ai.djl.translate.TranslateException;
import java.io.IOException;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.metric4j.loss.ArcFaceLoss;
import org.metric4j.loss.PartialFCLoss;
import org.metric4j.schedule.Schedule;
import org.metric4j.schedule.StepListener;
import org.metric4j.schedule.TrainingClock;

/**
 * A {@link PartialCosineClassifier} under a plain DJL {@code Trainer} and {@code EasyTrain.fit}:
 * the loss reads the renumbered labels ({@link PartialFCLoss}), and one trainer step updates the
 * sampled rows exactly once, through the head's step hook (DJL evaluates the loss a second time to
 * log it, which must not move anything).
 */
class PartialCosineClassifierTrainerTest {

    private static final int CLASSES = 20;
    private static final int IN = 6;
    private static final int DIM = 4;
    private static final int BATCH = 8;
    private static final double RATE = 0.3;
    private static final double LR = 0.05;

    private static PartialCosineClassifier head(double[] w, long seed) {
        return PartialCosineClassifier.builder().setNumClasses(CLASSES).setEmbeddingSize(DIM).optSampleRate(RATE)
                .optSeed(seed).optInitializer(fixed(w)).build();
    }

    private static Initializer fixed(double[] w) {
        return (manager, shape, dtype) -> manager.create(w, shape).toType(dtype, false);
    }

    @Test
    void oneTrainerStepUpdatesTheSampledRowsExactlyOnce() throws IOException, TranslateException {
        long seed = 9;
        Random rnd = new Random(seed);
        double[] w = new double[CLASSES * DIM];
        for (int i = 0; i < w.length; i++) {
            w[i] = rnd.nextGaussian();
        }
        float[] xs = new float[BATCH * IN];
        for (int i = 0; i < xs.length; i++) {
            xs[i] = (float) rnd.nextGaussian();
        }
        long[] ys = {0, 3, 3, 7, 11, 11, 15, 19};
        ArcFaceLoss arcFace = ArcFaceLoss.builder().optScale(16).optMargin(0.3).build();
        TrainingClock clock = new TrainingClock();
        PartialCosineClassifier head = head(w, seed);
        Engine.getInstance().setRandomSeed((int) seed);
        try (NDManager manager = NDManager.newBaseManager(); Model model = Model.newInstance("partial-fc")) {
            Block backbone = Linear.builder().setUnits(DIM).optBias(false).build();
            model.setBlock(new SequentialBlock().add(backbone).add(head));
            DefaultTrainingConfig config = new DefaultTrainingConfig(new PartialFCLoss(arcFace))
                    .optOptimizer(Optimizer.sgd().setLearningRateTracker(Tracker.fixed(0.1f)).build())
                    .addTrainingListeners(new EvaluatorTrainingListener(),
                            new StepListener(clock, List.of(head.stepUpdate(Schedule.constant(LR), clock))));
            NDArray x = manager.create(xs, new Shape(BATCH, IN));
            NDArray y = manager.create(ys);
            ArrayDataset data = new ArrayDataset.Builder().setData(x).optLabels(y).setSampling(BATCH, false).build();
            try (Trainer trainer = model.newTrainer(config)) {
                trainer.initialize(new Shape(BATCH, IN));
                float[] initial = head.weight().getArray().toFloatArray();
                assertArrayEquals(toFloats(w), initial, "seed " + seed + ": the head starts from the fixed weights");
                // the reference: the head's documented manual step on the same embeddings and sample
                NDArray embeddings = backbone.forward(new ParameterStore(manager, false), new NDList(x), false).head();
                PartialCosineClassifier reference = head(w, seed);
                reference.initialize(manager, DataType.FLOAT32);
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    SampledBatch batch = reference.sample(embeddings, y);
                    gc.backward(arcFace.compute(batch.scores(), batch.labels()));
                    reference.update(batch, LR);
                }
                float[] expected = reference.weight().getArray().toFloatArray();
                assertTrue(maxAbsDiff(initial, expected) > 1e-4, "seed " + seed + ": the step must move some rows");

                EasyTrain.fit(trainer, 1, data, null);

                assertEquals(1, clock.iteration(), "seed " + seed + ": one step");
                assertArrayEquals(expected, head.weight().getArray().toFloatArray(), 1e-5f,
                        "seed " + seed + ": the trainer step updated the sampled rows exactly once");
                assertArrayEquals(reference.momentumBuffer().getArray().toFloatArray(),
                        head.momentumBuffer().getArray().toFloatArray(), 1e-5f,
                        "seed " + seed + ": the momentum of the sampled rows");
            }
        }
    }

    private static float[] toFloats(double[] w) {
        float[] f = new float[w.length];
        for (int i = 0; i < w.length; i++) {
            f[i] = (float) w[i];
        }
        return f;
    }

    private static double maxAbsDiff(float[] a, float[] b) {
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }
}
