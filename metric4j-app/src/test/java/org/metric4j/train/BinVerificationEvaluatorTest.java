package org.metric4j.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Blocks;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.pooling.Pool;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.metric4j.data.VerificationBin;
import org.metric4j.eval.InsightFaceVerification;

/**
 * {@link BinVerificationEvaluator} as an epoch evaluator: a parameter-free network (16 x 16 average
 * pooling, flattened) on the fixture's .bin gives the metrics of the same embeddings computed here
 * from {@code load_bin}'s tensors.
 */
class BinVerificationEvaluatorTest {

    @Test
    void metricsAreThoseOfTheFlipSumOfThePooledImages() throws Exception {
        Path file = Path.of(getClass().getResource("/insightface/verification/synth_py3.bin").toURI());
        VerificationBin set = VerificationBin.read(file);
        int n = set.size();
        int cells = 7;
        int d = 3 * cells * cells;
        // expected: (v - 127.5) / 127.5 averaged over 16 x 16 cells, plain and mirrored
        double[][] raw = new double[2][n * d];
        for (int flip = 0; flip < 2; flip++) {
            byte[] u8 = set.loadBin(112, 112, flip == 1);
            for (int i = 0; i < n; i++) {
                for (int c = 0; c < 3; c++) {
                    for (int y = 0; y < 112; y++) {
                        for (int x = 0; x < 112; x++) {
                            int v = u8[((i * 3 + c) * 112 + y) * 112 + x] & 0xff;
                            raw[flip][i * d + (c * cells + y / 16) * cells + x / 16] += ((v - 127.5) / 127.5) / 256;
                        }
                    }
                }
            }
        }
        double[] both = new double[2 * n * d];
        System.arraycopy(raw[0], 0, both, 0, n * d);
        System.arraycopy(raw[1], 0, both, n * d, n * d);
        double[] sum = new double[n * d];
        for (int i = 0; i < sum.length; i++) {
            sum[i] = raw[0][i] + raw[1][i];
        }
        InsightFaceVerification.Report want = InsightFaceVerification.builder().build().evaluate(sum, d, set.issame());

        SequentialBlock net = new SequentialBlock().add(Pool.avgPool2dBlock(new Shape(16, 16)))
                .add(Blocks.batchFlattenBlock());
        try (NDManager manager = NDManager.newBaseManager()) {
            net.initialize(manager, DataType.FLOAT32, new Shape(1, 3, 112, 112));
            Map<String, Double> m = new BinVerificationEvaluator(List.of(set)).evaluate(net, manager);
            assertEquals(List.of("synth_py3_accuracy", "synth_py3_accuracy_std", "synth_py3_xnorm",
                    "synth_py3_val_at_far_1e-3", "synth_py3_val_std", "synth_py3_far"), List.copyOf(m.keySet()));
            assertEquals(want.accuracyMean(), m.get("synth_py3_accuracy"));
            assertEquals(want.accuracyStd(), m.get("synth_py3_accuracy_std"));
            assertEquals(want.val(), m.get("synth_py3_val_at_far_1e-3"), 1e-12);
            assertEquals(want.far(), m.get("synth_py3_far"), 1e-12);
            double xnorm = InsightFaceVerification.xnorm(both, d);
            assertEquals(xnorm, m.get("synth_py3_xnorm"), 1e-6 * xnorm);
            List<BinVerificationEvaluator.Result> r = new BinVerificationEvaluator(List.of(set)).evaluate(
                    new org.metric4j.model.PreprocessedEmbedder(new org.metric4j.model.BlockEmbedder(net, manager),
                            org.metric4j.model.Preprocessing.INSIGHTFACE));
            assertArrayEquals(want.bestThresholds(), r.get(0).report().bestThresholds());
        }
        assertThrows(IllegalArgumentException.class, () -> new BinVerificationEvaluator(List.of()));
    }
}
