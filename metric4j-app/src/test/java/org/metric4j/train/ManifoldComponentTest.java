package org.metric4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.metric4j.TestDevice;
import org.metric4j.head.ClassCenters;
import org.metric4j.model.LeNetPlusPlus;
import org.metric4j.schedule.TrainingClock;
import org.metric4j.train.EmbeddingTrainerTest.TinyImages;

/**
 * The {@code manifold} loss spec: PML's defaults on a {@link ClassCenters} head of k proxies, a bad
 * value named, and a run resumed after epoch 1 ends where the uninterrupted run ends (the meta
 * classes are drawn from the seed and the clock's iteration).
 */
class ManifoldComponentTest {

    @Test
    void theSpecBuildsTheLossOnKProxiesAndNamesABadValue() {
        Spec spec = Spec.parse("manifold:k=4");
        LossComponent c = Components.LOSSES.create(spec, new Components.Context(6, new TrainingClock()));
        assertEquals(LossComponent.Kind.PROXY, c.kind());
        assertTrue(c.headTrainedByOptimizer());
        assertTrue(c.toString().contains("ManifoldLoss(K=4, lambdaC=1.0, alpha=0.8, margin=5.0E-4"), c.toString());
        assertEquals("manifold:alpha=0.8,k=4,lambda_c=1.0,margin=5.0E-4,weight=1.0", spec.resolved());
        try (NDManager m = TestDevice.manager()) {
            c.head().initialize(m, DataType.FLOAT32, new Shape(2, 8));
            assertEquals(new Shape(4, 8), ((ClassCenters) c.head()).centers().getArray().getShape());
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Components.LOSSES.create("manifold:alpha=1", new Components.Context(6, new TrainingClock())));
        assertTrue(e.getMessage().contains("'manifold': alpha: alpha must be in (0, 1), got 1.0"), e.getMessage());
    }

    private static EmbeddingTrainer trainer(Path out, int epochs, TinyImages data) {
        TrainingClock clock = new TrainingClock();
        LossComponent c = Components.LOSSES.create("manifold:k=4",
                new Components.Context(data.numClasses(), clock, 1.0, 3));
        TrainConfig config = TrainConfig.builder().optDevice(TestDevice.get()).optEpochs(epochs).optSeed(3)
                .optLearningRate(0.003).optOptimizer(TrainConfig.OptimizerKind.ADAM, 0).optOutputDir(out)
                .optProgressBar(false).build();
        return new EmbeddingTrainer(config, LeNetPlusPlus.create(8), List.of(c), data,
                EmbeddingTrainerTest.shuffled(data.size(), 24, 3), List.of(), clock);
    }

    @Test
    void aResumedRunEndsWhereTheWholeRunEnds(@TempDir Path dir) {
        TinyImages data = new TinyImages(4, 6, 8); // 48 images, batches of 24: 2 steps per epoch
        List<Double> whole;
        try (EmbeddingTrainer t = trainer(dir.resolve("whole"), 2, data)) {
            whole = t.fit().stepLosses();
        }
        try (EmbeddingTrainer t = trainer(dir.resolve("parts"), 1, data)) {
            t.fit();
        }
        List<Double> resumed;
        try (EmbeddingTrainer t = trainer(dir.resolve("parts"), 2, data)) {
            TrainResult r = t.fit();
            assertEquals(0, r.resumedFromEpoch());
            resumed = r.stepLosses();
        }
        assertEquals(4, whole.size());
        for (int i = 0; i < whole.size(); i++) {
            assertTrue(Double.isFinite(whole.get(i)) && whole.get(i) > 0, "step " + i + ": " + whole.get(i));
            assertEquals(whole.get(i), resumed.get(i), 1e-6, "step " + i);
        }
    }
}
