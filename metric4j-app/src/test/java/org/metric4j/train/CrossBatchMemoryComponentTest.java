package org.metric4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.metric4j.TestDevice;
import org.metric4j.loss.CrossBatchMemory;
import org.metric4j.model.LeNetPlusPlus;
import org.metric4j.schedule.TrainingClock;
import org.metric4j.train.EmbeddingTrainerTest.TinyImages;

/**
 * The {@code xbm-*} loss specs: a {@link CrossBatchMemory} around the named pair loss, its queue
 * written by the trainer's afterStep and saved with every checkpoint, so a run stopped after epoch
 * 1 and resumed has the uninterrupted run's step losses.
 */
class CrossBatchMemoryComponentTest {

    private static final int CLASSES = 6;
    private static final int PER_CLASS = 8;
    private static final int STEPS = 2;

    private static Components.Context context() {
        return new Components.Context(CLASSES, new TrainingClock());
    }

    @Test
    void theSpecsWrapTheirPairLossAndNameABadValue() {
        Spec spec = Spec.parse("xbm-contrastive:memory=100,pos_margin=0.1");
        LossComponent c = Components.LOSSES.create(spec, context());
        assertEquals(LossComponent.Kind.METRIC, c.kind());
        assertTrue(c.stepState() instanceof CrossBatchMemory x && x.memorySize() == 100, String.valueOf(c.stepState()));
        assertTrue(c.stepState().toString().contains("loss=ContrastiveLoss("), c.stepState().toString());
        assertEquals("xbm-contrastive:memory=100,neg_margin=1.0,pos_margin=0.1,weight=1.0", spec.resolved());
        assertEquals(CrossBatchMemory.DEFAULT_MEMORY_SIZE,
                ((CrossBatchMemory) Components.LOSSES.create("xbm-ntxent", context()).stepState()).memorySize());
        assertTrue(Components.LOSSES.create("xbm-triplet:margin=0.2,miner=semihard", context()).stepState().toString()
                .contains("TripletMarginLoss("));
        assertTrue(Components.LOSSES.create("xbm-multisimilarity:mine=true", context()).stepState().toString()
                .contains("MultiSimilarityLoss("));
        assertTrue(Components.LOSSES.help().get("xbm-triplet").contains("(parameters: distance, margin, memory, miner,"
                + " miner_margin, smooth, swap, weight)"), Components.LOSSES.help().get("xbm-triplet"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Components.LOSSES.create("xbm-contrastive:memory=0", context()));
        assertEquals("'xbm-contrastive': memory: memorySize must be >= 1, got 0", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Components.LOSSES.create("xbm-ntxent:margin=1", context()));
        assertTrue(e.getMessage().contains("'xbm-ntxent' has no parameter 'margin'; valid: memory, temperature, weight"),
                e.getMessage());
    }

    @Test
    void aResumedRunHasTheUninterruptedRunsStepLosses(@TempDir Path dir) {
        TinyImages data = new TinyImages(2, CLASSES, PER_CLASS); // 48 images, batches of 24: 2 steps per epoch
        String spec = "xbm-contrastive:memory=64";
        TrainResult whole;
        try (EmbeddingTrainer t = trainer(spec, dir.resolve("whole"), 2, data)) {
            whole = t.fit();
        }
        Path parts = dir.resolve("parts");
        try (EmbeddingTrainer t = trainer(spec, parts, 1, data)) {
            t.fit();
        }
        assertTrue(Files.isRegularFile(parts.resolve("checkpoints/epoch-0000/" + Checkpoint.lossStateFile(0))),
                "the queue's checkpoint");
        // the same checkpoint without the queue: epoch 2 starts from an empty memory, another loss
        Path stateless = dir.resolve("stateless");
        copy(parts, stateless);
        try {
            Files.delete(stateless.resolve("checkpoints/epoch-0000/" + Checkpoint.lossStateFile(0)));
        } catch (java.io.IOException ex) {
            throw new java.io.UncheckedIOException(ex);
        }
        try (EmbeddingTrainer t = trainer(spec, stateless, 2, data)) {
            List<Double> losses = t.fit().stepLosses();
            assertTrue(Math.abs(losses.get(STEPS) - whole.stepLosses().get(STEPS)) > 1e-4,
                    "an empty memory gives another loss: " + losses.get(STEPS) + " vs " + whole.stepLosses().get(STEPS));
        }
        TrainResult resumed;
        try (EmbeddingTrainer t = trainer(spec, parts, 2, data)) {
            resumed = t.fit();
        }
        assertEquals(0, resumed.resumedFromEpoch());
        List<Double> a = whole.stepLosses();
        List<Double> b = resumed.stepLosses();
        assertEquals(2 * STEPS, a.size());
        assertEquals(a.size(), b.size());
        for (int i = 0; i < a.size(); i++) {
            assertEquals(a.get(i), b.get(i), 1e-6, "step " + i);
        }
    }

    private static EmbeddingTrainer trainer(String spec, Path out, int epochs, TinyImages data) {
        TrainingClock clock = new TrainingClock();
        LossComponent c = Components.LOSSES.create(spec, new Components.Context(data.numClasses(), clock));
        TrainConfig config = TrainConfig.builder().optDevice(TestDevice.get()).optEpochs(epochs).optSeed(3)
                .optLearningRate(0.003).optOptimizer(TrainConfig.OptimizerKind.ADAM, 0).optOutputDir(out)
                .optProgressBar(false).build();
        return new EmbeddingTrainer(config, LeNetPlusPlus.create(8), List.of(c), data,
                EmbeddingTrainerTest.shuffled(data.size(), 24, 3), List.of(), clock);
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
}
