package org.metric4j.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;
import org.metric4j.head.ClassScores;

/**
 * ArcFace clamps only the target cosine before acos; the non-target cosines enter the softmax as
 * they are, as in PML 2.8.1's {@code ArcFaceLoss} (no B x C clamp, issue #17): checked against the
 * softmax written out by hand, in float64, with a non-target cosine at exactly +1 and a target at
 * exactly +1 (value s cos(m), finite gradients), for every fallback.
 */
class ArcFaceClampTest {

    private static final double S = 64;
    private static final double M = 0.5;

    /** Loss and gradient wrt the cosines of one row (label 0) through {@link ArcFaceLoss}. */
    private static double[] run(double[] row, double[] gradOut, ArcFaceLoss.Fallback fallback) {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray cos = m.create(row, new Shape(1, row.length)).toType(DataType.FLOAT64, false);
            cos.setRequiresGradient(true);
            ArcFaceLoss loss = ArcFaceLoss.builder().optScale(S).optMargin(M).optFallback(fallback).build();
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray value = loss.compute(new ClassScores(cos, null, null), m.create(new long[] {0}));
                gc.backward(value);
                double[] g = cos.getGradient().toDoubleArray();
                System.arraycopy(g, 0, gradOut, 0, g.length);
                return new double[] {value.getDouble()};
            }
        }
    }

    /** The expected loss and non-target gradients for target logit s cos(acos(clamped t) + m). */
    private static double expected(double[] row, double[] gradOut) {
        double t = Math.min(row[0], 1 - MarginSoftmaxLoss.CLAMP_EPS);
        double[] z = new double[row.length];
        z[0] = S * Math.cos(Math.acos(t) + M);
        for (int j = 1; j < row.length; j++) {
            z[j] = S * row[j];
        }
        double lse = HeadTestSupport.logSumExp(z);
        for (int j = 1; j < row.length; j++) {
            gradOut[j] = S * Math.exp(z[j] - lse);
        }
        return lse - z[0];
    }

    /**
     * Runs {@code row} through each fallback: the loss and the non-target gradients as {@link
     * #expected} says, every gradient finite.
     */
    private static void assertEachFallbackMatchesTheSoftmax(double[] row) {
        for (ArcFaceLoss.Fallback fallback : ArcFaceLoss.Fallback.values()) {
            double[] grad = new double[row.length];
            double value = run(row, grad, fallback)[0];
            double[] want = new double[row.length];
            double wantValue = expected(row, want);
            assertEquals(wantValue, value, 1e-9 * Math.abs(wantValue), fallback.toString());
            for (int j = 0; j < row.length; j++) {
                assertTrue(Double.isFinite(grad[j]), fallback + " column " + j + ": " + grad[j]);
            }
            for (int j = 1; j < row.length; j++) {
                assertEquals(want[j], grad[j], 1e-9 * Math.abs(want[j]), fallback + " column " + j);
            }
        }
    }

    @Test
    void aNonTargetCosineOfOneEntersTheSoftmaxAsItIs() {
        assertEachFallbackMatchesTheSoftmax(new double[] {0.8, 1.0, 0.3, -1.0});
    }

    @Test
    void aTargetCosineOfOneIsClampedBeforeAcos() {
        assertEachFallbackMatchesTheSoftmax(new double[] {1.0, 0.9, 0.3, -0.2});
    }
}
