package org.metric4j.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;
import org.metric4j.head.ClassScores;

/**
 * ArcFace's MONOTONE fallback clamps the non-target cosines to \( \pm(1 - 10^{-7}) \) only when
 * one lies outside (issue #17 skips the B x C clamp otherwise): checked against the softmax
 * written out by hand, in float64, with a non-target cosine at exactly +1 (clamped: value at the
 * bound, gradient 0) and with every cosine inside (no clamp: gradient s p / B).
 */
class ArcFaceClampTest {

    private static final double S = 64;
    private static final double M = 0.5;

    /** Loss and gradient wrt the cosines of one row (label 0) through {@link ArcFaceLoss}. */
    private static double[] run(double[] row, double[] gradOut) {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray cos = m.create(row, new Shape(1, row.length)).toType(DataType.FLOAT64, false);
            cos.setRequiresGradient(true);
            ArcFaceLoss loss = ArcFaceLoss.builder().optScale(S).optMargin(M).build();
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray value = loss.compute(new ClassScores(cos, null, null), m.create(new long[] {0}));
                gc.backward(value);
                double[] g = cos.getGradient().toDoubleArray();
                System.arraycopy(g, 0, gradOut, 0, g.length);
                return new double[] {value.getDouble()};
            }
        }
    }

    /** The expected loss and non-target gradients from the logits (target column 0). */
    private static double expected(double[] row, double[] nonTarget, double[] gradOut) {
        double target = Math.cos(Math.acos(row[0]) + M);
        double[] z = new double[row.length];
        z[0] = S * target;
        for (int j = 1; j < row.length; j++) {
            z[j] = S * nonTarget[j];
        }
        double lse = HeadTestSupport.logSumExp(z);
        for (int j = 1; j < row.length; j++) {
            gradOut[j] = S * Math.exp(z[j] - lse);
        }
        return lse - z[0];
    }

    @Test
    void aNonTargetCosineOfOneIsClampedAndGetsNoGradient() {
        double[] row = {0.8, 1.0, 0.3, -0.2};
        double[] grad = new double[row.length];
        double value = run(row, grad)[0];
        double bound = 1 - MarginSoftmaxLoss.CLAMP_EPS;
        double[] want = new double[row.length];
        double wantValue = expected(row, new double[] {0, bound, 0.3, -0.2}, want);
        assertEquals(wantValue, value, 1e-9 * Math.abs(wantValue));
        assertEquals(0.0, grad[1], 0.0, "the clamped cosine's gradient");
        assertEquals(want[2], grad[2], 1e-9 * Math.abs(want[2]) + 1e-300);
        assertEquals(want[3], grad[3], 1e-9 * Math.abs(want[3]) + 1e-300);
    }

    @Test
    void cosinesWithinTheBoundsPassUnclamped() {
        double[] row = {0.6, 0.9, 0.3, -1 + 2 * MarginSoftmaxLoss.CLAMP_EPS};
        double[] grad = new double[row.length];
        double value = run(row, grad)[0];
        double[] want = new double[row.length];
        double wantValue = expected(row, row, want);
        assertEquals(wantValue, value, 1e-9 * Math.abs(wantValue));
        for (int j = 1; j < row.length; j++) {
            assertEquals(want[j], grad[j], 1e-9 * Math.abs(want[j]), "column " + j);
        }
    }
}
