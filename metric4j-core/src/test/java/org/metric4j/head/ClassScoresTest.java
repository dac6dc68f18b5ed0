package org.metric4j.head;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link ClassScores#of}'s cosines, norms and gradient wrt the weights against the formulas
 * written out in float64, with a column of zeros among the weights: \( \partial \cos_{bj} /
 * \partial W_j = \hat{x}_b / n_j - \cos_{bj} W_j / n_j^2 \) with \( n_j = \max(\|W_j\|, 10^{-12})
 * \) (the norm term vanishes below the bound), so that the squared-norm surrogate the head uses
 * gives the norm's own gradient.
 */
class ClassScoresTest {

    private static final int B = 3;
    private static final int D = 4;
    private static final int C = 3;

    @Test
    void cosinesNormsAndWeightGradientMatchTheFormulas() {
        Random rnd = new Random(7);
        double[] x = new double[B * D];
        double[] w = new double[D * C]; // row-major D x C, column 2 all zeros
        double[] r = new double[B * C]; // the upstream gradient of the cosines
        for (int i = 0; i < x.length; i++) {
            x[i] = rnd.nextGaussian();
        }
        for (int d = 0; d < D; d++) {
            for (int j = 0; j < 2; j++) {
                w[d * C + j] = rnd.nextGaussian();
            }
        }
        for (int i = 0; i < r.length; i++) {
            r[i] = rnd.nextGaussian();
        }
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray xa = m.create(x, new Shape(B, D));
            NDArray wa = m.create(w, new Shape(D, C));
            xa.setRequiresGradient(true);
            wa.setRequiresGradient(true);
            double[] cos;
            double[] norms;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                ClassScores s = ClassScores.of(xa, wa, 1);
                assertEquals(DataType.FLOAT64, s.cosine().getDataType());
                cos = s.cosine().toDoubleArray();
                norms = s.weightNorms().toDoubleArray();
                gc.backward(s.cosine().mul(m.create(r, new Shape(B, C))).sum());
            }
            double[] gw = wa.getGradient().toDoubleArray();
            double[] n = new double[C];
            for (int j = 0; j < C; j++) {
                double sq = 0;
                for (int d = 0; d < D; d++) {
                    sq += w[d * C + j] * w[d * C + j];
                }
                n[j] = Math.max(Math.sqrt(sq), 1e-12);
                assertEquals(n[j], norms[j], 1e-12 * n[j], "norm of column " + j);
            }
            double[][] xh = new double[B][D];
            for (int b = 0; b < B; b++) {
                double sq = 0;
                for (int d = 0; d < D; d++) {
                    sq += x[b * D + d] * x[b * D + d];
                }
                for (int d = 0; d < D; d++) {
                    xh[b][d] = x[b * D + d] / Math.sqrt(sq);
                }
            }
            for (int j = 0; j < C; j++) {
                for (int b = 0; b < B; b++) {
                    double dot = 0;
                    for (int d = 0; d < D; d++) {
                        dot += xh[b][d] * w[d * C + j];
                    }
                    assertEquals(dot / n[j], cos[b * C + j], 1e-12, "cos " + b + "," + j);
                }
                boolean clamped = n[j] == 1e-12;
                for (int d = 0; d < D; d++) {
                    double want = 0;
                    for (int b = 0; b < B; b++) {
                        double c = cos[b * C + j];
                        want += r[b * C + j] * (xh[b][d] / n[j] - (clamped ? 0 : c * w[d * C + j] / (n[j] * n[j])));
                    }
                    assertEquals(want, gw[d * C + j], 1e-10 * Math.max(1, Math.abs(want)),
                            "dL/dW[" + d + "," + j + "]");
                }
            }
        }
    }
}
