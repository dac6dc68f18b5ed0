package org.metric4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Blocks;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.initializer.ConstantInitializer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.metric4j.TestDevice;
import org.metric4j.loss.TripletMarginLoss;
import org.metric4j.miner.TripletMarginMiner;
import org.metric4j.model.LeNetPlusPlus;
import org.metric4j.schedule.TrainingClock;

/**
 * The trainer counts what its selecting losses used: {@code <loss>_selected} and {@code
 * <loss>_zero_steps} per epoch in the records and metrics.csv, a warning (once) when most steps
 * were 0; and, with standard error not a terminal, progress is one line per 10% of an epoch.
 */
class EmbeddingTrainerSelectionTest {

    private static TripletMarginLoss semiHard() {
        return TripletMarginLoss.builder().optMargin(0.2)
                .optMiner(TripletMarginMiner.builder().optMargin(0.2).optType(TripletMarginMiner.Type.SEMIHARD).build())
                .build();
    }

    private static TrainResult fit(Path out, ai.djl.nn.Block backbone, int epochs, String[] stderr) {
        EmbeddingTrainerTest.TinyImages data = new EmbeddingTrainerTest.TinyImages(1, 6, 20); // 120 images
        TrainConfig config = TrainConfig.builder().optDevice(TestDevice.get()).optEpochs(epochs).optSeed(3)
                .optLearningRate(0.01).optOutputDir(out).optProgressBar(true).build();
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try (EmbeddingTrainer trainer = new EmbeddingTrainer(config, backbone,
                List.of(LossComponent.metric(semiHard(), 1)), data,
                EmbeddingTrainerTest.shuffled(data.size(), 12, 3), List.of(), new TrainingClock())) {
            return trainer.fit(); // 10 steps of 12 images per epoch
        } finally {
            System.setErr(original);
            stderr[0] = captured.toString(StandardCharsets.UTF_8);
        }
    }

    @Test
    void selectionColumnsInMetricsCsvAndOneProgressLinePerTenthOfAnEpoch(@TempDir Path dir) throws Exception {
        assertEquals(null, System.console(), "the test runs without a terminal");
        String[] err = new String[1];
        TrainResult r = fit(dir, LeNetPlusPlus.create(8), 2, err);
        for (int epoch = 1; epoch <= 2; epoch++) {
            String prefix = "epoch " + epoch + "/2 ";
            long lines = err[0].lines().filter(l -> l.startsWith(prefix)).count();
            assertEquals(10, lines, err[0]);
        }
        assertTrue(err[0].contains("epoch 1/2 100% (10/10 steps) loss "), err[0]);
        assertTrue(err[0].contains("TripletMarginLoss selected "), err[0]);
        assertTrue(!err[0].contains("\r"), "no carriage-return redraws");
        Map<String, Double> last = r.history().get(1).toMap();
        double selected = last.get("TripletMarginLoss_selected");
        double zero = last.get("TripletMarginLoss_zero_steps");
        assertTrue(selected > 0, "semi-hard triplets of a learning network: " + last);
        assertTrue(zero >= 0 && zero <= 1 && zero * 10 == Math.rint(zero * 10), "a fraction of 10 steps: " + zero);
        List<String> csv = Files.readAllLines(dir.resolve("metrics.csv"));
        List<String> header = Arrays.asList(csv.get(0).split(","));
        assertTrue(header.contains("TripletMarginLoss_selected") && header.contains("TripletMarginLoss_zero_steps"),
                csv.get(0));
        assertEquals(3, csv.size());
        String value = csv.get(2).split(",")[header.indexOf("TripletMarginLoss_selected")];
        assertEquals(selected, Double.parseDouble(value), 1e-5 * Math.max(1, selected));
    }

    @Test
    void aCollapsedBackboneCountsEveryStepAsZeroAndWarnsOnce(@TempDir Path dir) {
        // every embedding the same (zero weights and bias): no semi-hard triplet, loss 0, no gradient: it stays so
        SequentialBlock collapsed = new SequentialBlock().add(Blocks.batchFlattenBlock())
                .add(Linear.builder().setUnits(4).build());
        collapsed.setInitializer(new ConstantInitializer(0f), Parameter.Type.WEIGHT);
        String[] err = new String[1];
        TrainResult r = fit(dir, collapsed, 2, err);
        for (EpochRecord e : r.history()) {
            assertEquals(1.0, e.metrics().get("TripletMarginLoss_zero_steps"), e.toString());
            assertEquals(0.0, e.metrics().get("TripletMarginLoss_selected"), e.toString());
            assertEquals(0.0, e.loss(), e.toString());
        }
        long warnings = err[0].lines().filter(l -> l.contains("WARN") && l.contains("had a loss of 0")).count();
        assertEquals(1, warnings, err[0]);
        assertTrue(err[0].contains("TripletMarginLoss: 100% of the steps of epoch 1 had a loss of 0"), err[0]);
    }

    @Test
    void theTallyOfCollapsedAndOrdinaryBatches() {
        try (NDManager m = TestDevice.manager()) {
            TripletMarginLoss loss = TripletMarginLoss.builder().optMargin(1.0)
                    .optDistance(org.metric4j.distance.LpDistance.of(org.metric4j.distance.Normalization.NONE, 1))
                    .optMiner(TripletMarginMiner.builder().optMargin(1.0).optType(TripletMarginMiner.Type.SEMIHARD)
                            .optDistance(org.metric4j.distance.LpDistance.of(org.metric4j.distance.Normalization.NONE, 1))
                            .build())
                    .build();
            NDArray y = m.create(new long[] {0, 0, 1, 1});
            Supplier<NDArray> collapsed = () -> m.ones(new Shape(4, 1), DataType.FLOAT64);
            NDArray line = m.create(new double[] {0, 1, 1.5, 3.2}, new Shape(4, 1)); // 2 semi-hard triplets
            SelectionTally tally = new SelectionTally(1);
            for (NDArray x : List.of(collapsed.get(), collapsed.get(), collapsed.get(), line)) {
                double v = loss.compute(x, y).toType(DataType.FLOAT64, false).getDouble();
                tally.add(0, v, loss.lastSelection());
            }
            assertEquals(0.75, tally.zeroFraction(0), 1e-12);
            assertEquals(0.5, tally.meanSelected(0), 1e-12);
            assertEquals(Map.of("L_selected", 0.5, "L_zero_steps", 0.75), tally.metrics(List.of("L")));
            SelectionTally resumed = new SelectionTally(1);
            resumed.restore(tally.toMap());
            assertEquals(tally.metrics(List.of("L")), resumed.metrics(List.of("L")));
        }
    }
}
