package org.metric4j.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.metric4j.TestDevice;
import org.metric4j.head.ClassCenters;
import org.metric4j.model.LeNetPlusPlus;
import org.metric4j.schedule.TrainingClock;
import org.metric4j.train.EmbeddingTrainerTest.TinyImages;

/**
 * The proxy losses as loss specs (issue #16): {@code proxy-anchor}, {@code proxy-nca} and {@code
 * soft-triple} build with PML's defaults on a {@link ClassCenters} head of C (C k) rows, refuse bad
 * values in one line naming the parameter and the value, train their proxies with the backbone,
 * and a checkpoint restores the proxies exactly.
 */
class ProxyLossComponentsTest {

    private static final int CLASSES = 6;

    @ParameterizedTest
    @CsvSource({
        "proxy-anchor, 6, 'ProxyAnchorLoss(margin=0.1, alpha=32.0, distance=CosineSimilarity())',"
                + " 'proxy-anchor:alpha=32.0,margin=0.1,weight=1.0'",
        "proxy-nca, 6, 'ProxyNCALoss(softmaxScale=1.0, distance=LpDistance(normalize=true, power=2))',"
                + " 'proxy-nca:scale=1.0,weight=1.0'",
        "soft-triple, 60, 'SoftTripleLoss(centersPerClass=10, la=20.0, gamma=0.1, margin=0.01, distance=CosineSimilarity())',"
                + " 'soft-triple:gamma=0.1,k=10,la=20.0,margin=0.01,weight=1.0'",
        "'soft-triple:k=3,la=10,gamma=0.2,margin=0.05', 18,"
                + " 'SoftTripleLoss(centersPerClass=3, la=10.0, gamma=0.2, margin=0.05,',"
                + " 'soft-triple:gamma=0.2,k=3,la=10.0,margin=0.05,weight=1.0'",
        "'proxy-anchor:margin=0.2,alpha=16,weight=0.5', 6, 'ProxyAnchorLoss(margin=0.2, alpha=16.0,',"
                + " 'proxy-anchor:alpha=16.0,margin=0.2,weight=0.5'",
    })
    void eachSpecBuildsItsLossOnProxiesOfTheRightShape(String text, long rows, String loss, String resolved) {
        Spec spec = Spec.parse(text);
        LossComponent c = Components.LOSSES.create(spec, new Components.Context(CLASSES, new TrainingClock()));
        assertEquals(LossComponent.Kind.PROXY, c.kind(), text);
        assertTrue(c.headTrainedByOptimizer(), text + ": the optimizer trains the proxies");
        assertTrue(c.head() instanceof ClassCenters, text + ": " + c.head());
        assertTrue(c.toString().contains(loss), text + ": " + c);
        assertEquals(resolved, spec.resolved());
        try (NDManager m = TestDevice.manager()) {
            c.head().initialize(m, DataType.FLOAT32, new Shape(2, 8));
            assertEquals(new Shape(rows, 8), ((ClassCenters) c.head()).centers().getArray().getShape(), text);
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "proxy-anchor:margin=-0.1 | margin must be >= 0 and finite, got -0.1",
        "proxy-anchor:alpha=0 | alpha must be > 0 and finite, got 0.0",
        "proxy-anchor:alpha=big | 'proxy-anchor': alpha must be a number, got 'big'",
        "proxy-anchor:weight=-1 | weight of ProxyAnchorLoss must be >= 0 and finite, got -1.0",
        "proxy-nca:scale=0 | 'proxy-nca': scale must be > 0 and finite, got 0.0",
        "proxy-nca:scale=-2.5 | 'proxy-nca': scale must be > 0 and finite, got -2.5",
        "proxy-nca:temperature=1 | no parameter 'temperature'",
        "soft-triple:k=0 | 'soft-triple': k (centers per class) must be >= 1, got 0",
        "soft-triple:k=2.5 | 'soft-triple': k must be an integer, got '2.5'",
        "soft-triple:la=-1 | la must be > 0 and finite, got -1.0",
        "soft-triple:gamma=0 | gamma must be > 0 and finite, got 0.0",
        "soft-triple:margin=-0.01 | margin must be >= 0 and finite, got -0.01",
    })
    void badValuesAreOneLineNamingTheParameterAndTheValue(String text, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Components.LOSSES.create(text, new Components.Context(CLASSES, new TrainingClock())));
        assertTrue(e.getMessage().contains(message), text + ": " + e.getMessage());
        assertFalse(e.getMessage().contains("\n"), text + ": one line: " + e.getMessage());
    }

    @Test
    void theHelpOfProxyAnchorSaysHowToTrainTheProxiesFaster() {
        String help = Components.LOSSES.help().get("proxy-anchor");
        assertTrue(help.contains("--head-lr-factor 100") && help.contains("(parameters: alpha, margin, weight)"), help);
        assertTrue(Components.LOSSES.help().get("soft-triple").contains("(parameters: gamma, k, la, margin, weight)"),
                Components.LOSSES.help().get("soft-triple"));
        assertTrue(Components.LOSSES.help().get("proxy-nca").contains("(parameters: scale, weight)"),
                Components.LOSSES.help().get("proxy-nca"));
    }

    /** A trainer and the proxies of its single loss term. */
    private record Run(EmbeddingTrainer trainer, ClassCenters proxies) implements AutoCloseable {
        float[] values() {
            return proxies.centers().getArray().toFloatArray();
        }

        @Override
        public void close() {
            trainer.close();
        }
    }

    /** LeNet++ (8-d) with one proxy loss on the tiny images, Adam, batches of 24, proxies at 10x the rate. */
    private static Run run(String loss, Path out, int epochs, TinyImages data) {
        TrainingClock clock = new TrainingClock();
        TrainConfig config = TrainConfig.builder().optDevice(TestDevice.get()).optEpochs(epochs).optSeed(3)
                .optLearningRate(0.003).optOptimizer(TrainConfig.OptimizerKind.ADAM, 0)
                .optHeadLearningRateFactor(10).optOutputDir(out).optProgressBar(false).build();
        LossComponent c = Components.LOSSES.create(loss, new Components.Context(data.numClasses(), clock));
        EmbeddingTrainer t = new EmbeddingTrainer(config, LeNetPlusPlus.create(8), List.of(c), data,
                EmbeddingTrainerTest.shuffled(data.size(), 24, 3), List.of(new NearestCenterEvaluator(data, data, 0)),
                clock);
        return new Run(t, (ClassCenters) c.head());
    }

    @ParameterizedTest
    @ValueSource(strings = {"proxy-anchor", "proxy-nca", "soft-triple:k=3"})
    void trainingLowersTheLossAndMovesTheProxies(String loss, @TempDir Path dir) {
        TinyImages data = new TinyImages(1, CLASSES, 20); // 120 images, batches of 24: 5 steps per epoch
        try (Run run = run(loss, dir, 4, data)) {
            float[] before = run.values();
            TrainResult r = run.trainer().fit();
            float[] after = run.values();
            double first = r.history().get(0).loss();
            double last = r.last().loss();
            assertTrue(Double.isFinite(first) && last < 0.9 * first, loss + ": the loss should fall: " + first + " -> " + last
                    + " " + r.history());
            double moved = 0;
            for (int i = 0; i < before.length; i++) {
                moved = Math.max(moved, Math.abs(after[i] - before[i]));
            }
            assertTrue(moved > 1e-3, loss + ": the proxies should move, max |change| " + moved);
            assertTrue(r.last().metrics().get("ncc_accuracy") > 0.5, loss + ": " + r.last());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"proxy-anchor", "soft-triple:k=2"})
    void aCheckpointRestoresTheProxiesExactlyAndAResumeEndsWhereTheWholeRunEnds(String loss, @TempDir Path dir) {
        TinyImages data = new TinyImages(2, CLASSES, 20);
        float[] whole;
        try (Run run = run(loss, dir.resolve("whole"), 3, data)) {
            run.trainer().fit();
            whole = run.values();
        }
        Path parts = dir.resolve("parts");
        float[] initial;
        float[] trained;
        try (Run run = run(loss, parts, 2, data)) {
            initial = run.values();
            run.trainer().fit();
            trained = run.values();
        }
        assertTrue(Files.isRegularFile(parts.resolve("checkpoints/epoch-0001/head-0.params")), loss);
        assertFalse(Arrays.equals(initial, trained), loss + ": two epochs train the proxies");
        try (Run run = run(loss, parts, 2, data)) {
            assertArrayEquals(initial, run.values(), loss + ": a new trainer starts from the seeded initialization");
            TrainResult r = run.trainer().fit(); // nothing left to train: the checkpoint of epoch 2 is loaded
            assertEquals(1, r.resumedFromEpoch(), loss);
            assertArrayEquals(trained, run.values(), loss + ": the checkpoint restores the proxies bit for bit");
        }
        try (Run run = run(loss, parts, 3, data)) {
            TrainResult r = run.trainer().fit();
            assertEquals(1, r.resumedFromEpoch(), loss);
            float[] resumed = run.values();
            for (int i = 0; i < whole.length; i++) {
                assertEquals(whole[i], resumed[i], 1e-6, loss + ": proxy value " + i + " after a resume to epoch 3");
            }
        }
    }
}
