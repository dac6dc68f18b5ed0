package org.metric4j.math;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import java.util.function.Supplier;

/**
 * Numerically stable operations that DJL 0.35.1 lacks, written as differentiable compositions of
 * NDArray ops. Every function works in the dtype of its input.
 */
public final class NDMath {

    private NDMath() {}

    /**
     * Runs {@code body} in its own {@link NDScope}, so that the temporaries it creates are closed
     * when it returns (autograd keeps whatever the backward pass needs), and keeps its result,
     * registered with the enclosing scope if there is one. On B x M matrices a pair loss's chain
     * of ops would otherwise hold every intermediate until the caller's scope closes.
     *
     * @param body a computation whose result is an array it created (never one of its inputs)
     * @return the result
     */
    public static NDArray scoped(Supplier<NDArray> body) {
        NDArray out;
        try (NDScope scope = new NDScope()) {
            out = body.get();
            NDScope.unregister(out);
        }
        NDScope.register(out);
        return out;
    }

    /**
     * A 0-dim constant of {@code x}'s dtype on {@code x}'s manager, in memory the engine owns.
     *
     * <p>Why it exists: DJL 0.35.1's {@code Number} overloads ({@code mul(Number)}, {@code
     * div}, {@code pow}, {@code maximum}, {@code minimum}) wrap the number in a tensor over a
     * Java direct buffer ({@code from_blob}) and close it right after the op. Autograd keeps that
     * tensor for the backward pass (the product's backward multiplies by the other factor), so a
     * garbage collection between forward and backward frees the buffer and the gradient reads
     * freed memory: {@code x.mul(3.0)} then gets a gradient of 0 instead of 3 (200 of 200 tries
     * with a GC in between), and an ArcFace head's gradient turned NaN mid-training. Code on a
     * differentiable path multiplies, divides and clamps by constants from here (see {@link
     * #mul}, {@link #div}, {@link #pow}, {@link #maximum}, {@link #minimum}), never by Numbers.
     */
    public static NDArray constant(NDArray x, double value) {
        NDManager manager = x.getManager();
        DataType dtype = x.getDataType();
        NDArray boxed = dtype == DataType.FLOAT32 ? manager.create((float) value)
                : manager.create(value).toType(dtype, false);
        // a clone: storage allocated by the engine, on x's device (x may have moved off its manager's)
        NDArray owned = boxed.getDevice().equals(x.getDevice()) ? boxed.duplicate() : boxed.toDevice(x.getDevice(), true);
        if (boxed != owned) {
            boxed.close();
        }
        return owned;
    }

    /** A scalar of {@code x}'s dtype on {@code x}'s manager (see {@link #constant}). */
    public static NDArray scalarLike(NDArray x, double value) {
        return constant(x, value);
    }

    /** \( x c \) for a constant c, safe to differentiate (see {@link #constant}). */
    public static NDArray mul(NDArray x, double c) {
        return x.mul(constant(x, c));
    }

    /** \( x / c \) for a constant c, safe to differentiate (see {@link #constant}). */
    public static NDArray div(NDArray x, double c) {
        return x.div(constant(x, c));
    }

    /** \( x^c \) for a constant c, safe to differentiate (see {@link #constant}). */
    public static NDArray pow(NDArray x, double c) {
        return x.pow(constant(x, c));
    }

    /** \( \max(x, c) \) (torch.maximum: half the gradient on ties), safe to differentiate. */
    public static NDArray maximum(NDArray x, double c) {
        return x.maximum(constant(x, c));
    }

    /** \( \min(x, c) \) (torch.minimum: half the gradient on ties), safe to differentiate. */
    public static NDArray minimum(NDArray x, double c) {
        return x.minimum(constant(x, c));
    }

    /**
     * A zero loss of {@code x}'s dtype that stays connected to the graph of {@code x} (its
     * gradient is zero), for a batch without any valid pair or triplet.
     */
    public static NDArray zeroLoss(NDArray x) {
        return mul(x.sum(), 0.0);
    }

    /**
     * The sum of all entries as a 1-element array. Number arithmetic on 0-dim arrays promotes
     * float32 to float64 in DJL 0.35.1 / PyTorch; on a 1-element array it keeps the dtype.
     */
    public static NDArray total(NDArray x) {
        return x.sum().reshape(1);
    }

    /** A scalar times a constant, in the scalar's dtype (see {@link #total}). */
    public static NDArray times(NDArray scalar, double factor) {
        return mul(scalar, factor).reshape(new Shape());
    }

    /** A 1-element array back to a scalar. */
    public static NDArray scalar(NDArray x) {
        return x.reshape(new Shape());
    }

    /** A boolean mask as 0/1 in the dtype of {@code like}. */
    public static NDArray asFloat(NDArray mask, NDArray like) {
        return mask.toType(like.getDataType(), false);
    }

    /**
     * Masked logsumexp along {@code axis} (keeping the axis):
     * \( \log \sum_{j \in mask} e^{x_j} \).
     *
     * <p>Follows pytorch-metric-learning's {@code lmu.logsumexp}: entries outside the mask are
     * ignored and a row whose mask is empty gives 0. The row maximum is shifted out without
     * gradient; empty rows never produce NaN or infinite gradients.
     *
     * @param x the logits
     * @param mask a boolean array broadcastable to {@code x}, or {@code null} for all entries
     * @param axis the reduced axis
     * @return the result with {@code axis} kept as size 1
     */
    public static NDArray logSumExp(NDArray x, NDArray mask, int axis) {
        return logSumExp(x, mask, axis, false);
    }

    /**
     * Masked logsumexp with a zero logit added to every row (PML's {@code add_one=True}):
     * \( \log(1 + \sum_{j \in mask} e^{x_j}) \), 0 for a row whose mask is empty.
     *
     * @param x the logits
     * @param mask a boolean array broadcastable to {@code x}, or {@code null} for all entries
     * @param axis the reduced axis
     * @return the result with {@code axis} kept as size 1
     */
    public static NDArray logOnePlusSumExp(NDArray x, NDArray mask, int axis) {
        return logSumExp(x, mask, axis, true);
    }

    private static NDArray logSumExp(NDArray x, NDArray mask, int axis, boolean addOne) {
        int[] axes = {axis};
        NDArray negInf = scalarLike(x, Double.NEGATIVE_INFINITY);
        NDArray masked = mask == null ? x : NDArrays.where(mask, x, negInf);
        NDArray max = masked.max(axes, true);
        if (addOne) {
            max = maximum(max, 0.0);
        }
        NDArray finite = max.isInfinite().logicalNot();
        NDArray zero = scalarLike(x, 0.0);
        max = NDArrays.where(finite, max, zero).stopGradient();
        NDArray sum = masked.sub(max).exp().sum(axes, true);
        if (addOne) {
            sum = sum.add(max.neg().exp());
        }
        if (mask != null && !addOne) {
            NDArray nonEmpty = mask.toType(DataType.BOOLEAN, false).broadcast(x.getShape())
                    .toType(DataType.INT32, false).sum(axes, true).gt(0);
            NDArray one = scalarLike(x, 1.0);
            sum = NDArrays.where(nonEmpty, sum, one);
            return sum.log().add(max);
        }
        return sum.log().add(max);
    }

    /** Stable softplus \( \log(1 + e^x) \) (torch's softplus with beta 1). */
    public static NDArray softplus(NDArray x) {
        return Activation.softPlus(x);
    }

    /** ReLU with gradient 0 at 0 (torch semantics). */
    public static NDArray relu(NDArray x) {
        return Activation.relu(x);
    }

    /** Whether each slice along {@code axis} has a true entry (the axis is dropped). */
    public static NDArray anyAlong(NDArray mask, int axis) {
        return mask.toType(DataType.INT32, false).sum(new int[] {axis}).gt(0);
    }

    /** Rows {@code rows} of a matrix (differentiable gather). */
    public static NDArray takeRows(NDArray matrix, NDArray rows) {
        return matrix.get(new ai.djl.ndarray.index.NDIndex("{}", rows));
    }

    /** Entries {@code matrix[rows[k], cols[k]]} as a 1-D array (differentiable). */
    public static NDArray takePairs(NDArray matrix, NDArray rows, NDArray cols) {
        long width = matrix.getShape().get(1);
        NDArray flat = rows.mul(width).add(cols);
        return matrix.reshape(-1).get(new ai.djl.ndarray.index.NDIndex("{}", flat));
    }

    /**
     * \( \log(e^x + e^y) \) elementwise, where either may be -inf; 0 where both are (the empty
     * convention of {@link #logSumExp}). No NaN in values or gradients.
     */
    public static NDArray logAddExpOrZero(NDArray x, NDArray y) {
        NDArray m = x.maximum(y);
        NDArray finite = m.isInfinite().logicalNot();
        NDArray zero = scalarLike(x, 0.0);
        NDArray m0 = NDArrays.where(finite, m, zero).stopGradient();
        NDArray s = x.sub(m0).exp().add(y.sub(m0).exp());
        s = NDArrays.where(finite, s, scalarLike(x, 1.0));
        return NDArrays.where(finite, s.log().add(m0), zero);
    }

    /** {@code x} where {@code mask}, else -inf. */
    public static NDArray orNegInf(NDArray mask, NDArray x) {
        return NDArrays.where(mask, x, scalarLike(x, Double.NEGATIVE_INFINITY));
    }

    /** Number of true entries of a boolean array, as a long (synchronizes with the engine). */
    public static long count(NDArray mask) {
        return mask.toType(DataType.INT64, false).sum().getLong();
    }
}
