package org.metric4j.math;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.Random;
import java.util.function.Function;

/**
 * Helpers shared by the unit tests: random inputs, values and gradients read back as plain Java
 * arrays, central finite differences, and plain-Java distance matrices for brute-force references.
 *
 * <p>Every function that runs an NDArray computation does it on a sub-manager of the given
 * manager, so the arrays it creates are freed when it returns. Gradients are read inside the
 * collector's try block (reading them after it closes is unreliable), on a fresh leaf array each
 * time (gradients accumulate across collectors).
 */
public final class NDTestSupport {

    private NDTestSupport() {}

    /** A loss value with its dtype, its shape and the gradient of the input (as float64 values). */
    public record ValueAndGrad(double value, DataType dtype, Shape shape, double[] grad) {}

    /**
     * Frees what the garbage collector can free and overwrites it: a full GC, a pause for the
     * cleaner thread to release unreachable direct buffers, then {@code 4096} fresh NaN-filled
     * buffers on {@code manager} (kept there, so they are not freed before the caller's backward
     * pass). Call it between forward and backward: a gradient that reads memory DJL has released
     * (a {@code Number} operand freed right after its op, see {@link NDMath#constant}) then reads
     * NaN instead of passing by luck.
     */
    public static void scrubReleasedBuffers(NDManager manager) {
        System.gc();
        try {
            Thread.sleep(5);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        float[] nan = {Float.NaN, Float.NaN};
        for (int i = 0; i < 1024; i++) {
            manager.create(nan);
        }
    }

    /** {@code n} standard normal values. */
    public static double[] gaussian(Random random, int n) {
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            out[i] = random.nextGaussian();
        }
        return out;
    }

    /**
     * {@code b} labels: {@code b - 1} items spread evenly over {@code classes} classes (ids 0 to
     * classes - 1, so every class has at least two items when {@code b - 1 >= 2 * classes}) plus
     * one singleton of class {@code classes} (an anchor without a positive), shuffled.
     */
    public static long[] labelsWithSingleton(Random random, int b, int classes) {
        long[] y = new long[b];
        for (int i = 0; i < b - 1; i++) {
            y[i] = i % classes;
        }
        y[b - 1] = classes;
        shuffle(random, y);
        return y;
    }

    /** A uniformly random permutation of 0..n-1. */
    public static int[] permutation(Random random, int n) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    private static void shuffle(Random random, long[] y) {
        int[] p = permutation(random, y.length);
        long[] copy = y.clone();
        for (int i = 0; i < y.length; i++) {
            y[i] = copy[p[i]];
        }
    }

    /** Rows of a row-major B x D array taken in the order {@code perm}: row i is row perm[i]. */
    public static double[] permuteRows(double[] x, int d, int[] perm) {
        double[] out = new double[x.length];
        for (int i = 0; i < perm.length; i++) {
            System.arraycopy(x, perm[i] * d, out, i * d, d);
        }
        return out;
    }

    /** {@code y[perm[i]]} for every i. */
    public static long[] permute(long[] y, int[] perm) {
        long[] out = new long[perm.length];
        for (int i = 0; i < perm.length; i++) {
            out[i] = y[perm[i]];
        }
        return out;
    }

    /** A row-major B x D array as an NDArray of the given dtype. */
    public static NDArray array(NDManager manager, double[] x, int b, int d, DataType dtype) {
        return manager.create(x, new Shape(b, d)).toType(dtype, false);
    }

    /** Any floating-point or integer array as float64 values. */
    public static double[] doubles(NDArray a) {
        return a.toType(DataType.FLOAT64, false).toDoubleArray();
    }

    /** A one-element array as a double. */
    public static double value(NDArray a) {
        return a.toType(DataType.FLOAT64, false).getDouble();
    }

    /**
     * {@code f} of the B x D input {@code x} (in {@code dtype}) and the gradient of the result with
     * respect to that input, computed in a fresh gradient collector on a fresh leaf array.
     */
    public static ValueAndGrad valueAndGrad(
            NDManager manager, double[] x, int b, int d, DataType dtype,
            Function<NDArray, NDArray> f) {
        try (NDManager sub = manager.newSubManager()) {
            NDArray leaf = array(sub, x, b, d, dtype);
            leaf.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray out = f.apply(leaf);
                scrubReleasedBuffers(sub);
                gc.backward(out);
                double[] grad = doubles(leaf.getGradient());
                return new ValueAndGrad(value(out), out.getDataType(), out.getShape(), grad);
            }
        }
    }

    /** {@code f} of the B x D input {@code x} (in {@code dtype}), without gradient. */
    public static double valueOf(
            NDManager manager, double[] x, int b, int d, DataType dtype,
            Function<NDArray, NDArray> f) {
        try (NDManager sub = manager.newSubManager()) {
            return value(f.apply(array(sub, x, b, d, dtype)));
        }
    }

    /** Central finite differences of {@code f} in float64 with step {@code h}. */
    public static double[] centralDifferences(
            NDManager manager, double[] x, int b, int d, double h,
            Function<NDArray, NDArray> f) {
        double[] grad = new double[x.length];
        double[] probe = x.clone();
        for (int i = 0; i < x.length; i++) {
            probe[i] = x[i] + h;
            double plus = valueOf(manager, probe, b, d, DataType.FLOAT64, f);
            probe[i] = x[i] - h;
            double minus = valueOf(manager, probe, b, d, DataType.FLOAT64, f);
            probe[i] = x[i];
            grad[i] = (plus - minus) / (2 * h);
        }
        return grad;
    }

    /** The largest absolute value. */
    public static double maxAbs(double[] a) {
        double m = 0;
        for (double v : a) {
            m = Math.max(m, Math.abs(v));
        }
        return m;
    }

    /** The largest absolute difference of two arrays of equal length. */
    public static double maxAbsDiff(double[] a, double[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("lengths differ: " + a.length + " vs " + b.length);
        }
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }

    /** Whether no value is NaN or infinite. */
    public static boolean allFinite(double[] a) {
        for (double v : a) {
            if (!Double.isFinite(v)) {
                return false;
            }
        }
        return true;
    }

    /** A row-major flat array as B rows of D values. */
    public static double[][] rows(double[] flat, int b, int d) {
        double[][] out = new double[b][d];
        for (int i = 0; i < b; i++) {
            System.arraycopy(flat, i * d, out[i], 0, d);
        }
        return out;
    }

    /** The rows divided by their L2 norm (torch's F.normalize with eps 1e-12). */
    public static double[][] normalizeRows(double[][] x) {
        double[][] out = new double[x.length][];
        for (int i = 0; i < x.length; i++) {
            double n = 0;
            for (double v : x[i]) {
                n += v * v;
            }
            n = Math.max(Math.sqrt(n), 1e-12);
            out[i] = new double[x[i].length];
            for (int k = 0; k < x[i].length; k++) {
                out[i][k] = x[i][k] / n;
            }
        }
        return out;
    }

    /** The B x B matrix of L2 distances between rows, or of squared distances. */
    public static double[][] euclidean(double[][] x, boolean squared) {
        int b = x.length;
        double[][] out = new double[b][b];
        for (int i = 0; i < b; i++) {
            for (int j = 0; j < b; j++) {
                double s = 0;
                for (int k = 0; k < x[i].length; k++) {
                    double t = x[i][k] - x[j][k];
                    s += t * t;
                }
                out[i][j] = squared ? s : Math.sqrt(s);
            }
        }
        return out;
    }

    /** The B x B matrix of dot products between rows. */
    public static double[][] dot(double[][] x) {
        int b = x.length;
        double[][] out = new double[b][b];
        for (int i = 0; i < b; i++) {
            for (int j = 0; j < b; j++) {
                double s = 0;
                for (int k = 0; k < x[i].length; k++) {
                    s += x[i][k] * x[j][k];
                }
                out[i][j] = s;
            }
        }
        return out;
    }

    /** A message prefix that names the case and the seed. */
    public static String msg(String name, long seed, String what) {
        return name + " [seed " + seed + "]: " + what;
    }

    /** The VmRSS line of /proc/self/status in kB, or -1 where there is none (not Linux). */
    public static long rssKb() throws java.io.IOException {
        java.nio.file.Path status = java.nio.file.Path.of("/proc/self/status");
        if (!java.nio.file.Files.isReadable(status)) {
            return -1;
        }
        for (String line : java.nio.file.Files.readAllLines(status)) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }
}
