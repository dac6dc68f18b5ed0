package org.metric4j.loss;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.EasyTrain;
import ai.djl.training.ParameterStore;
import ai.djl.training.Trainer;
import ai.djl.training.dataset.ArrayDataset;
import ai.djl.training.listener.EvaluatorTrainingListener;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import ai.djl.translate.TranslateException;
import java.io.IOException;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.metric4j.schedule.StepListener;
import org.metric4j.schedule.TrainingClock;

/**
 * {@link DynamicSoftMarginLoss} under a plain DJL {@code Trainer} ({@code EasyTrain.fit}, which
 * evaluates the loss twice per step) with a {@link StepListener}: the stored histogram moves once
 * per step, to what one {@code afterStep} per batch gives.
 */
class DynamicSoftMarginTrainerTest {

    private static final int IN = 5;
    private static final int DIM = 3;
    private static final int BATCH = 12;

    @Test
    void theStoredHistogramMovesOncePerTrainerStep() throws IOException, TranslateException {
        Random rnd = new Random(3);
        float[] xs = new float[2 * BATCH * IN];
        int[] ys = new int[2 * BATCH];
        for (int i = 0; i < ys.length; i++) {
            ys[i] = i % 4;
            for (int j = 0; j < IN; j++) {
                xs[i * IN + j] = (float) rnd.nextGaussian() + (j == ys[i] ? 1.5f : 0f);
            }
        }
        DynamicSoftMarginLoss loss = DynamicSoftMarginLoss.builder().optMomentum(0.4).build();
        TrainingClock clock = new TrainingClock();
        try (NDManager manager = NDManager.newBaseManager(); Model model = Model.newInstance("dsm")) {
            model.setBlock(Linear.builder().setUnits(DIM).build());
            // learning rate 0: the embeddings stay put, so the expected histogram can be replayed
            DefaultTrainingConfig config = new DefaultTrainingConfig(loss)
                    .optOptimizer(Optimizer.sgd().setLearningRateTracker(Tracker.fixed(0f)).build())
                    .addTrainingListeners(new EvaluatorTrainingListener(), new StepListener(clock, List.of(loss)));
            NDArray x = manager.create(xs, new Shape(ys.length, IN));
            NDArray y = manager.create(ys);
            ArrayDataset data = new ArrayDataset.Builder().setData(x).optLabels(y).setSampling(BATCH, false).build();
            try (Trainer trainer = model.newTrainer(config)) {
                trainer.initialize(new Shape(BATCH, IN));
                NDArray emb = model.getBlock().forward(new ParameterStore(manager, false), new NDList(x), false).head();
                DynamicSoftMarginLoss replay = DynamicSoftMarginLoss.builder().optMomentum(0.4).build();
                for (int b = 0; b < 2; b++) {
                    String rows = b * BATCH + ":" + (b + 1) * BATCH;
                    replay.afterStep(new NDList(y.get(rows)), new NDList(emb.get(rows)));
                }
                DynamicSoftMarginLoss twice = DynamicSoftMarginLoss.builder().optMomentum(0.4).build();
                for (int b = 0; b < 2; b++) {
                    String rows = b * BATCH + ":" + (b + 1) * BATCH;
                    twice.afterStep(new NDList(y.get(rows)), new NDList(emb.get(rows)));
                    twice.afterStep(new NDList(y.get(rows)), new NDList(emb.get(rows)));
                }
                double gap = 0;
                for (int i = 0; i < 10; i++) {
                    gap = Math.max(gap, Math.abs(replay.storedHistogram()[i] - twice.storedHistogram()[i]));
                }
                assertTrue(gap > 1e-3, "the test needs one and two updates per step to differ: " + gap);

                EasyTrain.fit(trainer, 1, data, null);

                assertEquals(2, clock.iteration());
                assertArrayEquals(replay.storedHistogram(), loss.storedHistogram(), 1e-6);
            }
        }
    }
}
