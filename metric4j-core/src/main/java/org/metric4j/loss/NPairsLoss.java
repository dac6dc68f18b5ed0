package org.metric4j.loss;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import org.metric4j.distance.Distance;
import org.metric4j.distance.DotProductSimilarity;
import org.metric4j.distance.Normalization;
import org.metric4j.math.Inputs;
import org.metric4j.math.NDMath;
import org.metric4j.reducer.LossTerms;
import org.metric4j.reducer.MeanReducer;

/**
 * Multi-class N-pair loss (Sohn 2016): one (anchor, positive) pair per label, then cross entropy
 * of the N x N anchor-positive similarity matrix with the diagonal as targets,
 * \( \frac{1}{N}\sum_i \log(1 + \sum_{j \ne i} e^{s(a_i, p_j) - s(a_i, p_i)}) \).
 *
 * <p>As in PML's {@code NPairsLoss}: for each label with at least two items, the anchor is its
 * smallest index and the positive the next smallest. Default similarity: PML's {@code
 * DotProductSimilarity()}, which L2-normalizes the embeddings first; pass {@code
 * DotProductSimilarity.create()} for the paper's raw dot product (then add an L2 penalty on the
 * embeddings, as Sohn does).
 */
public final class NPairsLoss extends MetricLoss {

    private final Distance distance;

    private NPairsLoss(Builder b) {
        super("NPairsLoss");
        this.distance = b.distance;
    }

    /** A builder with the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public NDArray compute(NDArray embeddings, NDArray labels) {
        long b = Inputs.embeddings("embeddings", embeddings);
        long[] y = Inputs.labels("labels", labels, b).toLongArray();
        TreeMap<Long, List<Integer>> byLabel = new TreeMap<>();
        for (int i = 0; i < y.length; i++) {
            byLabel.computeIfAbsent(y[i], k -> new ArrayList<>()).add(i);
        }
        List<Long> anchors = new ArrayList<>();
        List<Long> positives = new ArrayList<>();
        for (List<Integer> items : byLabel.values()) {
            if (items.size() >= 2) {
                anchors.add((long) items.get(0));
                positives.add((long) items.get(1));
            }
        }
        if (anchors.isEmpty()) {
            return nothingSelected(embeddings);
        }
        NDArray a = embeddings.getManager().create(anchors.stream().mapToLong(Long::longValue).toArray())
                .toDevice(embeddings.getDevice(), false);
        NDArray p = embeddings.getManager().create(positives.stream().mapToLong(Long::longValue).toArray())
                .toDevice(embeddings.getDevice(), false);
        NDArray sim = distance.matrix(NDMath.takeRows(embeddings, a), NDMath.takeRows(embeddings, p));
        NDArray logits = NTXentLoss.similarity(distance, sim);
        NDArray target = NDMath.asFloat(
                org.metric4j.distance.PairMasks.eye(embeddings.getManager(), anchors.size())
                        .toDevice(embeddings.getDevice(), false), logits);
        NDArray ce = NDMath.logSumExp(logits, null, 1).reshape(-1)
                .sub(logits.mul(target).sum(new int[] {1}));
        return reduce(new MeanReducer(), LossTerms.of(ce));
    }

    @Override
    public String toString() {
        return "NPairsLoss(distance=" + distance + ")";
    }

    /** Builder of {@link NPairsLoss}. */
    public static final class Builder {
        private Distance distance = DotProductSimilarity.of(Normalization.L2);

        private Builder() {}

        /** The similarity, a distance is negated (default: PML's dot product of L2-normalized embeddings). */
        public Builder optDistance(Distance distance) {
            this.distance = java.util.Objects.requireNonNull(distance, "distance");
            return this;
        }

        /** The loss. */
        public NPairsLoss build() {
            return new NPairsLoss(this);
        }
    }
}
