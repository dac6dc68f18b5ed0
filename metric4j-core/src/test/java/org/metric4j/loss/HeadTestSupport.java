package org.metric4j.loss;

import static org.metric4j.math.NDTestSupport.doubles;
import static org.metric4j.math.NDTestSupport.scrubReleasedBuffers;
import static org.metric4j.math.NDTestSupport.value;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.Random;
import org.metric4j.loss.HeadCatalog.Case;
import org.metric4j.loss.HeadCatalog.HeadLoss;

/**
 * A head problem (embeddings x, B x D; class parameter W, D x (C k); labels) and what the tests
 * read from a loss on it: the value and the gradients with respect to x and W, plus central
 * finite differences of both. Arrays live on a sub-manager freed on return; gradients are read
 * inside the collector, on fresh leaf arrays (gradients accumulate across collectors).
 */
final class HeadTestSupport {

    private HeadTestSupport() {}

    /** A problem: x row-major B x D, w row-major D x cols, labels in [0, C). */
    record Problem(double[] x, int b, int d, double[] w, int cols, long[] y) {

        /** A random problem: normal x and W, every class present, labels shuffled. */
        static Problem random(long seed, int b, int d, int classes, int subCenters) {
            Random r = new Random(seed);
            double[] x = org.metric4j.math.NDTestSupport.gaussian(r, b * d);
            double[] w = org.metric4j.math.NDTestSupport.gaussian(r, d * classes * subCenters);
            long[] y = new long[b];
            for (int i = 0; i < b; i++) {
                y[i] = i % classes;
            }
            int[] p = org.metric4j.math.NDTestSupport.permutation(r, b);
            return new Problem(x, b, d, w, classes * subCenters,
                    org.metric4j.math.NDTestSupport.permute(y, p));
        }

        Problem withX(double[] newX) {
            return new Problem(newX, b, d, w, cols, y);
        }

        Problem withW(double[] newW) {
            return new Problem(x, b, d, newW, cols, y);
        }

        Problem withY(long[] newY) {
            return new Problem(x, b, d, w, cols, newY);
        }
    }

    /** The loss value and both gradients (gradW is all zeros for a case that ignores W). */
    record Result(double value, DataType dtype, Shape shape, double[] gradX, double[] gradW) {}

    static Result run(NDManager manager, Case c, Problem p, DataType dtype) {
        return run(manager, c.loss(), c.usesWeights(), p, dtype);
    }

    static Result run(NDManager manager, HeadLoss f, boolean weightGrad, Problem p, DataType dtype) {
        try (NDManager sub = manager.newSubManager()) {
            NDArray x = sub.create(p.x(), new Shape(p.b(), p.d())).toType(dtype, false);
            NDArray w = sub.create(p.w(), new Shape(p.d(), p.cols())).toType(dtype, false);
            x.setRequiresGradient(true);
            if (weightGrad) {
                w.setRequiresGradient(true);
            }
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray out = f.apply(x, w, sub.create(p.y()));
                scrubReleasedBuffers(sub);
                gc.backward(out);
                double[] gx = doubles(x.getGradient());
                double[] gw = weightGrad ? doubles(w.getGradient()) : new double[p.w().length];
                return new Result(value(out), out.getDataType(), out.getShape(), gx, gw);
            }
        }
    }

    /** The value without gradient. */
    static double valueOf(NDManager manager, HeadLoss f, Problem p, DataType dtype) {
        try (NDManager sub = manager.newSubManager()) {
            NDArray x = sub.create(p.x(), new Shape(p.b(), p.d())).toType(dtype, false);
            NDArray w = sub.create(p.w(), new Shape(p.d(), p.cols())).toType(dtype, false);
            return value(f.apply(x, w, sub.create(p.y())));
        }
    }

    /** Central differences (float64, step h) with respect to x (wrtW false) or W (true). */
    static double[] centralDifferences(NDManager manager, HeadLoss f, Problem p, boolean wrtW,
            double h) {
        double[] base = wrtW ? p.w() : p.x();
        double[] probe = base.clone();
        double[] grad = new double[base.length];
        for (int i = 0; i < base.length; i++) {
            probe[i] = base[i] + h;
            double plus = valueOf(manager, f, wrtW ? p.withW(probe) : p.withX(probe),
                    DataType.FLOAT64);
            probe[i] = base[i] - h;
            double minus = valueOf(manager, f, wrtW ? p.withW(probe) : p.withX(probe),
                    DataType.FLOAT64);
            probe[i] = base[i];
            grad[i] = (plus - minus) / (2 * h);
        }
        return grad;
    }

    /**
     * W with its class blocks moved: the k columns of class c become those of class perm[c]
     * (so that renaming label c to perm[c] describes the same problem).
     */
    static double[] permuteClassColumns(double[] w, int d, int classes, int k, int[] perm) {
        int cols = classes * k;
        double[] out = new double[w.length];
        for (int c = 0; c < classes; c++) {
            for (int j = 0; j < k; j++) {
                for (int r = 0; r < d; r++) {
                    out[r * cols + perm[c] * k + j] = w[r * cols + c * k + j];
                }
            }
        }
        return out;
    }

    /** Each label c replaced by perm[c]. */
    static long[] rename(long[] y, int[] perm) {
        long[] out = new long[y.length];
        for (int i = 0; i < y.length; i++) {
            out[i] = perm[(int) y[i]];
        }
        return out;
    }

    /** The cosine between row i of x and column j of w (plain Java). */
    static double cosine(Problem p, int i, int j) {
        double dot = 0;
        double nx = 0;
        double nw = 0;
        for (int r = 0; r < p.d(); r++) {
            double a = p.x()[i * p.d() + r];
            double b = p.w()[r * p.cols() + j];
            dot += a * b;
            nx += a * a;
            nw += b * b;
        }
        return dot / Math.sqrt(nx * nw);
    }

    /** log(sum exp(z)) in plain Java. */
    static double logSumExp(double... z) {
        double m = Double.NEGATIVE_INFINITY;
        for (double v : z) {
            m = Math.max(m, v);
        }
        double s = 0;
        for (double v : z) {
            s += Math.exp(v - m);
        }
        return m + Math.log(s);
    }
}
