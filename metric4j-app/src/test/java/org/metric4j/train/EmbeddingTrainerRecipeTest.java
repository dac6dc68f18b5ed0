package org.metric4j.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.metric4j.TestDevice;
import org.metric4j.head.CosineClassifier;
import org.metric4j.loss.ArcFaceLoss;
import org.metric4j.model.LeNetPlusPlus;
import org.metric4j.schedule.TrainingClock;

/** arcface_torch's recipe in the trainer: accumulation, weight decay of every parameter, flips. */
class EmbeddingTrainerRecipeTest {

    private static List<float[]> train(int accumulation, double lr, int[][] batches) {
        EmbeddingTrainerTest.TinyImages data = new EmbeddingTrainerTest.TinyImages(1, 6, 4);
        TrainConfig config = TrainConfig.builder().optDevice(TestDevice.get()).optEpochs(1).optSeed(3)
                .optLearningRate(lr).optOptimizer(TrainConfig.OptimizerKind.SGD, 0).optWeightDecay(0)
                .optGradientAccumulation(accumulation).optProgressBar(false).build();
        List<LossComponent> parts = List.of(LossComponent.margin(
                ArcFaceLoss.builder().optScale(16).optMargin(0.2).build(),
                CosineClassifier.builder().setNumClasses(6).build(), 1));
        try (EmbeddingTrainer t = new EmbeddingTrainer(config, LeNetPlusPlus.create(8), parts, data,
                epoch -> batches, List.of(), new TrainingClock())) {
            t.fit();
            List<float[]> w = new ArrayList<>();
            for (Pair<String, Parameter> p : t.backbone().getParameters()) {
                w.add(p.getValue().getArray().toFloatArray());
            }
            return w;
        }
    }

    /**
     * Two batches accumulated then one step at lr equal one step on their summed gradient: with the
     * same batch twice, one step at 2 lr (arcface_torch's gradient_acc does not divide the loss).
     */
    @Test
    void accumulationSumsTheGradientsOfKBatchesIntoOneStep() {
        int[] batch = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};
        List<float[]> accumulated = train(2, 0.1, new int[][] {batch, batch});
        List<float[]> doubled = train(1, 0.2, new int[][] {batch});
        List<float[]> twoSteps = train(1, 0.1, new int[][] {batch, batch});
        double differs = 0;
        for (int k = 0; k < accumulated.size(); k++) {
            assertArrayEquals(doubled.get(k), accumulated.get(k), 1e-6f, "parameter " + k);
            for (int i = 0; i < accumulated.get(k).length; i++) {
                differs = Math.max(differs, Math.abs(accumulated.get(k)[i] - twoSteps.get(k)[i]));
            }
        }
        assertTrue(differs > 1e-4, "two optimizer steps differ from one accumulated step: " + differs);
    }

    @Test
    void weightDecayAllDecaysBiasesBatchNormAndPrelu() {
        Block net = LeNetPlusPlus.create(8);
        try (NDManager m = NDManager.newBaseManager(TestDevice.get())) {
            net.initialize(m, DataType.FLOAT32, new Shape(2, 1, 28, 28));
            TrainConfig weights = TrainConfig.builder().build();
            TrainConfig all = TrainConfig.builder().optWeightDecayAll(true).build();
            int spared = 0;
            int trained = 0;
            for (Pair<String, Parameter> p : net.getParameters()) {
                Parameter param = p.getValue();
                if (!param.requiresGradient()) {
                    continue;
                }
                trained++;
                assertEquals(5e-4, EmbeddingTrainer.weightDecay(param, all), 0, p.getKey());
                if (EmbeddingTrainer.weightDecay(param, weights) == 0) {
                    spared++;
                    assertTrue(param.getType() != Parameter.Type.WEIGHT, p.getKey());
                }
            }
            assertTrue(spared > 0 && spared < trained, "the default spares biases and normalization: "
                    + spared + " of " + trained);
        }
    }

    @Test
    void flipsAreAFunctionOfSeedEpochAndStepAndMirrorTheWidth() {
        boolean[] a = EmbeddingTrainer.flips(7, 2, 5, 1000);
        assertArrayEquals(a, EmbeddingTrainer.flips(7, 2, 5, 1000), "same (seed, epoch, step)");
        assertFalse(Arrays.equals(a, EmbeddingTrainer.flips(7, 2, 6, 1000)), "another step");
        assertFalse(Arrays.equals(a, EmbeddingTrainer.flips(8, 2, 5, 1000)), "another seed");
        int n = 0;
        for (boolean b : a) {
            n += b ? 1 : 0;
        }
        assertTrue(n > 440 && n < 560, "p = 0.5: " + n + " of 1000");
        try (NDManager m = NDManager.newBaseManager(TestDevice.get())) {
            NDArray x = m.create(new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, new Shape(2, 1, 2, 3));
            float[] y = EmbeddingTrainer.flip(x, new boolean[] {true, false}).toFloatArray();
            assertArrayEquals(new float[] {3, 2, 1, 6, 5, 4, 7, 8, 9, 10, 11, 12}, y);
        }
    }
}
