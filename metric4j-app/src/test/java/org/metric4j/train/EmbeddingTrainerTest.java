package org.metric4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.metric4j.TestDevice;
import org.metric4j.dataset.LabeledImages;
import org.metric4j.head.ClassCenters;
import org.metric4j.head.CosineClassifier;
import org.metric4j.head.LinearClassifier;
import org.metric4j.loss.ArcFaceLoss;
import org.metric4j.loss.CenterUpdate;
import org.metric4j.model.FaceResNet;
import org.metric4j.model.LeNetPlusPlus;
import org.metric4j.schedule.TrainingClock;

/** The training loop on a tiny in-memory image set: it learns, checkpoints and resumes exactly. */
class EmbeddingTrainerTest {

    /** 6 classes x 20 images of 1 x 8 x 8: class templates plus noise. */
    static final class TinyImages implements LabeledImages {
        final float[][] pixels;
        final long[] labels;

        TinyImages(long seed, int classes, int perClass) {
            Random rnd = new Random(seed);
            float[][] templates = new float[classes][64];
            for (float[] t : templates) {
                for (int j = 0; j < 64; j++) {
                    t[j] = (float) rnd.nextGaussian();
                }
            }
            pixels = new float[classes * perClass][64];
            labels = new long[classes * perClass];
            for (int i = 0; i < labels.length; i++) {
                labels[i] = i % classes;
                for (int j = 0; j < 64; j++) {
                    pixels[i][j] = templates[(int) labels[i]][j] + 0.7f * (float) rnd.nextGaussian();
                }
            }
        }

        @Override public int size() { return labels.length; }
        @Override public int channels() { return 1; }
        @Override public int height() { return 8; }
        @Override public int width() { return 8; }
        @Override public long label(int index) { return labels[index]; }
        @Override public int numClasses() { return 6; }
        @Override public String name(int index) { return "tiny/" + index; }
        @Override public void image(int index, float[] dst, int offset) {
            System.arraycopy(pixels[index], 0, dst, offset, 64);
        }
    }

    static BatchPlan shuffled(int n, int batch, long seed) {
        return epoch -> {
            Random rnd = new Random(seed * 31 + epoch);
            int[] order = new int[n];
            for (int i = 0; i < n; i++) {
                order[i] = i;
            }
            for (int i = n - 1; i > 0; i--) {
                int j = rnd.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
            int[][] out = new int[n / batch][batch];
            for (int b = 0; b < out.length; b++) {
                System.arraycopy(order, b * batch, out[b], 0, batch);
            }
            return out;
        };
    }

    private static EmbeddingTrainer arcFaceTrainer(Path out, int epochs, TinyImages data) {
        TrainingClock clock = new TrainingClock();
        TrainConfig config = TrainConfig.builder().optDevice(TestDevice.get())
                .optEpochs(epochs).optSeed(3).optLearningRate(0.003)
                .optOptimizer(TrainConfig.OptimizerKind.ADAM, 0).optOutputDir(out).optProgressBar(false).build();
        List<LossComponent> parts = List.of(LossComponent.margin(
                ArcFaceLoss.builder().optScale(16).optMargin(0.2).build(),
                CosineClassifier.builder().setNumClasses(6).build(), 1));
        return new EmbeddingTrainer(config, LeNetPlusPlus.create(8), parts, data, shuffled(data.size(), 24, 3),
                List.of(new NearestCenterEvaluator(data, data, 0)), clock);
    }

    @Test
    void arcFaceTrainingLowersTheLossAndSeparatesClasses(@TempDir Path dir) throws Exception {
        TinyImages data = new TinyImages(1, 6, 20);
        TrainResult r;
        try (EmbeddingTrainer t = arcFaceTrainer(dir, 6, data)) {
            r = t.fit();
        }
        double first = r.history().get(0).loss();
        double last = r.last().loss();
        assertTrue(last < first * 0.7, "loss should fall: " + first + " -> " + last);
        assertTrue(r.last().metrics().get("ncc_accuracy") > 0.8, "nearest center accuracy " + r.last());
        List<String> csv = Files.readAllLines(dir.resolve("metrics.csv"));
        assertEquals(7, csv.size(), String.join("\n", csv));
        assertTrue(csv.get(0).startsWith("epoch,iteration,loss,"), csv.get(0));
        assertTrue(Files.isRegularFile(dir.resolve("checkpoints/epoch-0005/state.json")));
        assertTrue(Files.notExists(dir.resolve("checkpoints/epoch-0003")), "only the newest two are kept");
    }

    @Test
    void resumeReproducesTheUninterruptedRun(@TempDir Path dir) throws Exception {
        TinyImages data = new TinyImages(2, 6, 20);
        Path whole = dir.resolve("whole");
        Path parts = dir.resolve("parts");
        TrainResult a;
        try (EmbeddingTrainer t = arcFaceTrainer(whole, 4, data)) {
            a = t.fit();
        }
        try (EmbeddingTrainer t = arcFaceTrainer(parts, 2, data)) {
            t.fit();
        }
        TrainResult b;
        try (EmbeddingTrainer t = arcFaceTrainer(parts, 4, data)) {
            b = t.fit();
        }
        assertEquals(1, b.resumedFromEpoch());
        assertEquals(4, b.history().size());
        for (String key : new String[] {"loss", "ncc_accuracy", "map_at_r"}) {
            assertEquals(a.last().toMap().get(key), b.last().toMap().get(key), 1e-6, key + ": resumed " + b.last() + " vs " + a.last());
        }
    }

    /** Images, asking the trainer to stop once {@code stopAfter} images were read. */
    static final class StoppingImages implements LabeledImages {
        final LabeledImages inner;
        final int stopAfter;
        final java.util.concurrent.atomic.AtomicReference<EmbeddingTrainer> trainer =
                new java.util.concurrent.atomic.AtomicReference<>();
        int read;

        StoppingImages(LabeledImages inner, int stopAfter) {
            this.inner = inner;
            this.stopAfter = stopAfter;
        }

        @Override public int size() { return inner.size(); }
        @Override public int channels() { return inner.channels(); }
        @Override public int height() { return inner.height(); }
        @Override public int width() { return inner.width(); }
        @Override public long label(int index) { return inner.label(index); }
        @Override public int numClasses() { return inner.numClasses(); }
        @Override public String name(int index) { return inner.name(index); }
        @Override public void image(int index, float[] dst, int offset) {
            if (++read == stopAfter) {
                trainer.get().requestStop();
            }
            inner.image(index, dst, offset);
        }
    }

    @Test
    void aStopMidEpochWritesACheckpointThatResumesExactly(@TempDir Path dir) throws Exception {
        TinyImages data = new TinyImages(5, 6, 20); // 120 images, batches of 24: 5 steps per epoch
        TrainResult whole;
        try (EmbeddingTrainer t = arcFaceTrainer(dir.resolve("whole"), 3, data)) {
            whole = t.fit();
        }
        Path out = dir.resolve("stopped");
        // stop requested while the 8th batch loads: steps 1-5 (epoch 1) and 6-8 (epoch 2) run, then it stops
        StoppingImages stopping = new StoppingImages(data, 7 * 24 + 1);
        try (EmbeddingTrainer t = arcFaceTrainer(out, 3, data)) {
            EmbeddingTrainer s = new EmbeddingTrainer(TrainConfig.builder().optEpochs(3).optSeed(3).optLearningRate(0.003)
                    .optOptimizer(TrainConfig.OptimizerKind.ADAM, 0).optOutputDir(out).optProgressBar(false)
                    .optDevice(TestDevice.get()).build(),
                    LeNetPlusPlus.create(8), List.of(LossComponent.margin(
                            ArcFaceLoss.builder().optScale(16).optMargin(0.2).build(),
                            CosineClassifier.builder().setNumClasses(6).build(), 1)),
                    stopping, shuffled(data.size(), 24, 3), List.of(new NearestCenterEvaluator(data, data, 0)),
                    new TrainingClock());
            stopping.trainer.set(s);
            EmbeddingTrainer.Stopped e = assertThrows(EmbeddingTrainer.Stopped.class, s::fit);
            s.close();
            assertEquals(out.resolve("checkpoints/epoch-0001-step-000003"), e.checkpoint(), e.getMessage());
            assertTrue(e.getMessage().contains("after step 3 of epoch 2") && e.getMessage().contains("--resume"),
                    e.getMessage());
            Checkpoint.State state = Checkpoint.readState(e.checkpoint());
            assertEquals(0, state.epoch());
            assertEquals(8, state.iteration());
            assertEquals(1, state.history().size());
            assertEquals(3, state.partial().steps());
            // the same run resumes inside epoch 2 and ends where the uninterrupted run ended
            TrainResult resumed = t.fit();
            assertEquals(0, resumed.resumedFromEpoch());
            assertEquals(3, resumed.history().size());
            assertEquals(whole.stepLosses().size(), resumed.stepLosses().size(), "the resumed run's step losses cover "
                    + "the whole run (2 steps of epoch 2 and 5 of epoch 3 trained now, the rest read from step_losses.txt)");
            for (int k = 0; k < whole.stepLosses().size(); k++) {
                assertEquals(whole.stepLosses().get(k), resumed.stepLosses().get(k), 1e-6, "step " + (k + 1));
            }
            for (int epoch = 1; epoch < 3; epoch++) {
                for (String key : new String[] {"loss", "iteration", "ncc_accuracy", "map_at_r"}) {
                    assertEquals(whole.history().get(epoch).toMap().get(key), resumed.history().get(epoch).toMap().get(key), 1e-6,
                            "epoch " + (epoch + 1) + " " + key + ": resumed " + resumed.history().get(epoch)
                                    + " vs uninterrupted " + whole.history().get(epoch));
                }
            }
        }
    }

    /** A small FaceResNet with dropout 0.2 on 32 x 32 synthetic faces, trained by ArcFace with SGD. */
    private static EmbeddingTrainer faceTrainer(Path out, LabeledImages train, LabeledImages eval) {
        TrainConfig config = TrainConfig.builder().optDevice(TestDevice.get()).optEpochs(2).optSeed(11)
                .optLearningRate(0.05).optOutputDir(out).optProgressBar(false).build();
        List<LossComponent> parts = List.of(LossComponent.margin(
                ArcFaceLoss.builder().optScale(16).optMargin(0.2).build(),
                CosineClassifier.builder().setNumClasses(train.numClasses()).build(), 1));
        return new EmbeddingTrainer(config, FaceResNet.create(16, 4, new int[] {8, 8}, 1, 0.2f), parts, train,
                shuffled(train.size(), 8, 11), List.of(new NearestCenterEvaluator(eval, eval, 0)), new TrainingClock());
    }

    /**
     * Dropout draws its masks from the engine's generator; the trainer reseeds it every step, so a
     * FaceResNet (dropout 0.2) stopped in the middle of an epoch resumes to the uninterrupted run's
     * losses and metrics (with the engine seeded once per epoch, the resumed steps drew other masks).
     */
    @Test
    void aFaceResNetWithDropoutStoppedMidEpochResumesExactly(@TempDir Path dir) throws Exception {
        Datasets.TrainData data = Datasets.DATASETS.create(
                "synthetic-faces:identities=4,images=8,size=32,channels=1,eval-identities=3,eval-images=4,pairs=10", 7L);
        LabeledImages train = data.train(); // 32 images, batches of 8: 4 steps per epoch
        assertEquals(32, train.size());
        TrainResult whole;
        try (EmbeddingTrainer t = faceTrainer(dir.resolve("whole"), train, data.heldOut())) {
            whole = t.fit();
        }
        Path out = dir.resolve("stopped");
        StoppingImages stopping = new StoppingImages(train, 5 * 8 + 1); // stop requested while the 6th batch loads: steps 1-4 (epoch 1) and 5-6 (epoch 2) run
        try (EmbeddingTrainer s = faceTrainer(out, stopping, data.heldOut())) {
            stopping.trainer.set(s);
            EmbeddingTrainer.Stopped e = assertThrows(EmbeddingTrainer.Stopped.class, s::fit);
            assertEquals(out.resolve("checkpoints/epoch-0001-step-000002"), e.checkpoint(), e.getMessage());
        }
        TrainResult resumed;
        try (EmbeddingTrainer t = faceTrainer(out, train, data.heldOut())) {
            resumed = t.fit();
        }
        assertEquals(whole.stepLosses().size(), resumed.stepLosses().size(), "the resumed run's step losses cover "
                + "the whole run (2 steps of epoch 2 trained now, the rest read from step_losses.txt)");
        for (int k = 0; k < whole.stepLosses().size(); k++) {
            assertEquals(whole.stepLosses().get(k), resumed.stepLosses().get(k), 1e-6, "step " + (k + 1));
        }
        for (String key : new String[] {"loss", "ncc_accuracy", "map_at_r"}) {
            assertEquals(whole.last().toMap().get(key), resumed.last().toMap().get(key), 1e-6,
                    key + ": resumed " + resumed.last() + " vs uninterrupted " + whole.last());
        }
    }

    @Test
    void stepSeedsDifferAcrossStepsEpochsAndSeeds() {
        java.util.Set<Integer> seen = new java.util.HashSet<>();
        for (long seed = 0; seed < 3; seed++) {
            for (int epoch = 0; epoch < 10; epoch++) {
                for (int step = 0; step < 100; step++) {
                    seen.add(EmbeddingTrainer.stepSeed(seed, epoch, step));
                }
            }
        }
        assertEquals(3000, seen.size(), "every (seed, epoch, step) gets its own engine seed");
        assertEquals(EmbeddingTrainer.stepSeed(3, 1, 2), EmbeddingTrainer.stepSeed(3, 1, 2));
    }

    @Test
    void softmaxPlusCenterLossWithTheUpdateRuleTrains(@TempDir Path dir) throws Exception {
        TinyImages data = new TinyImages(4, 6, 20);
        TrainConfig config = TrainConfig.builder().optDevice(TestDevice.get())
                .optEpochs(5).optSeed(5).optLearningRate(0.05)
                .optProgressBar(false).build();
        List<LossComponent> parts = List.of(
                LossComponent.softmax(LinearClassifier.of(6), 1),
                LossComponent.center(ClassCenters.of(6), 0.01, new CenterUpdate(0.5)));
        TrainResult r;
        try (EmbeddingTrainer t = new EmbeddingTrainer(config, LeNetPlusPlus.create(4), parts, data,
                shuffled(data.size(), 24, 5), List.of(new NearestCenterEvaluator(data, data, 0)),
                new TrainingClock())) {
            assertEquals(TestDevice.get(), t.manager().getDevice(), "the trainer's arrays live on the configured device");
            r = t.fit();
        }
        EpochRecord first = r.history().get(0);
        assertTrue(r.last().componentLosses().get("SoftmaxLoss") < first.componentLosses().get("SoftmaxLoss"),
                r.history().toString());
        assertTrue(r.last().metrics().get("ncc_accuracy") > 0.7, r.last().toString());
    }
}
