package org.metric4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.metric4j.TestDevice;
import org.metric4j.dataset.LabeledImages;
import org.metric4j.head.PartialCosineClassifier;
import org.metric4j.model.LeNetPlusPlus;
import org.metric4j.schedule.TrainingClock;

/**
 * PartialFC v2 from the components ({@code --sample-rate}): the head is the optimizer's, each
 * step's sample is a function of (seed, iteration), so a run stopped mid-epoch resumes exactly.
 */
class PartialFcTrainingTest {

    private static EmbeddingTrainer trainer(Path out, LabeledImages data, LabeledImages eval) {
        TrainingClock clock = new TrainingClock();
        LossComponent arcFace = Components.LOSSES.create(Spec.parse("arcface:scale=16,margin=0.2"),
                new Components.Context(data.numClasses(), clock, 0.5, 3));
        assertTrue(arcFace.head() instanceof PartialCosineClassifier p
                && p.updateMode() == PartialCosineClassifier.Update.OPTIMIZER, arcFace.toString());
        TrainConfig config = TrainConfig.builder().optDevice(TestDevice.get()).optEpochs(2).optSeed(3)
                .optLearningRate(0.05).optOptimizer(TrainConfig.OptimizerKind.SGD, 0.9).optWeightDecay(5e-4)
                .optOutputDir(out).optProgressBar(false).build();
        return new EmbeddingTrainer(config, LeNetPlusPlus.create(8), List.of(arcFace), data,
                EmbeddingTrainerTest.shuffled(data.size(), 2, 3), List.of(new NearestCenterEvaluator(eval, eval, 0)),
                clock);
    }

    @Test
    void aPartialFcRunStoppedMidEpochResumesExactly(@TempDir Path dir) throws Exception {
        EmbeddingTrainerTest.TinyImages data = new EmbeddingTrainerTest.TinyImages(5, 6, 4); // 24 images, 12 steps
        TrainResult whole;
        try (EmbeddingTrainer t = trainer(dir.resolve("whole"), data, data)) {
            whole = t.fit();
        }
        assertEquals(24, whole.stepLosses().size());
        assertTrue(whole.stepLosses().stream().allMatch(Double::isFinite), whole.stepLosses().toString());
        Path out = dir.resolve("stopped");
        EmbeddingTrainerTest.StoppingImages stopping = new EmbeddingTrainerTest.StoppingImages(data, 16 * 2 + 1);
        try (EmbeddingTrainer s = trainer(out, stopping, data)) {
            stopping.trainer.set(s);
            EmbeddingTrainer.Stopped e = assertThrows(EmbeddingTrainer.Stopped.class, s::fit);
            assertTrue(e.getMessage().contains("after step 5 of epoch 2"), e.getMessage());
        }
        TrainResult resumed;
        try (EmbeddingTrainer t = trainer(out, data, data)) {
            resumed = t.fit();
        }
        assertEquals(whole.stepLosses().size(), resumed.stepLosses().size(), "the resumed run's step losses cover "
                + "the whole run (7 steps of epoch 2 trained now, the rest read from step_losses.txt)");
            for (int k = 0; k < whole.stepLosses().size(); k++) {
                assertEquals(whole.stepLosses().get(k), resumed.stepLosses().get(k), 1e-6, "step " + (k + 1));
            }
    }

    @Test
    void aSampleRateOnALossWithoutPartialFcIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Components.LOSSES.create(Spec.parse("sphereface"), new Components.Context(10, new TrainingClock(), 0.5, 0)));
        assertTrue(e.getMessage().contains("--sample-rate 0.5") && e.getMessage().contains("arcface, cosface and combined"),
                e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Components.Context(10, new TrainingClock(), 1.5, 0));
    }
}
