package org.metric4j.loss;

import ai.djl.ndarray.NDArray;
import java.util.TreeMap;
import org.metric4j.math.Inputs;
import org.metric4j.math.NDMath;

/**
 * Congenerous cosine loss, CoCo (Liu et al. 2017, arXiv:1702.06890), batch-centroid form:
 * features are L2-normalized, each class present in the batch gets the centroid
 * \( c_k = \mathrm{normalize}(\sum_{i: y_i = k} \hat{x}_i) \), and the loss is the cross entropy
 * of \( \alpha \cos(\hat{x}_i, c_k) \) over the present classes, mean over the batch. Gradients
 * flow through the centroids.
 *
 * <p>Default alpha {@value #DEFAULT_ALPHA} (the paper's scale factor range starts there).
 */
public final class CoCoLoss extends MetricLoss {

    /** Default scale alpha. */
    public static final double DEFAULT_ALPHA = 6.0;

    private final double alpha;

    private CoCoLoss(Builder b) {
        super("CoCoLoss");
        this.alpha = b.alpha;
    }

    /** A builder with the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public NDArray compute(NDArray embeddings, NDArray labels) {
        long b = Inputs.embeddings("embeddings", embeddings);
        long[] y = Inputs.labels("labels", labels, b).toLongArray();
        TreeMap<Long, Long> compact = new TreeMap<>();
        for (long v : y) {
            compact.putIfAbsent(v, 0L);
        }
        long next = 0;
        for (Long key : compact.keySet()) {
            compact.put(key, next++);
        }
        long[] idx = new long[y.length];
        for (int i = 0; i < y.length; i++) {
            idx[i] = compact.get(y[i]);
        }
        NDArray target = embeddings.getManager().create(idx).toDevice(embeddings.getDevice(), false);
        NDArray f = embeddings.normalize(2, 1, 1e-12);
        NDArray members = target.oneHot(compact.size(), f.getDataType());
        NDArray centroids = members.transpose().matMul(f).normalize(2, 1, 1e-12);
        NDArray logits = NDMath.mul(f.matMul(centroids.transpose()), alpha);
        NDArray picked = logits.gather(target.reshape(-1, 1), 1);
        return NDMath.logSumExp(logits, null, 1).sub(picked).mean();
    }

    @Override
    public String toString() {
        return "CoCoLoss(alpha=" + alpha + ")";
    }

    /** Builder of {@link CoCoLoss}. */
    public static final class Builder {
        private double alpha = DEFAULT_ALPHA;

        private Builder() {}

        /** Alpha, > 0 (default {@value #DEFAULT_ALPHA}). */
        public Builder optAlpha(double alpha) {
            this.alpha = Inputs.positive("alpha", alpha);
            return this;
        }

        /** The loss. */
        public CoCoLoss build() {
            return new CoCoLoss(this);
        }
    }
}
