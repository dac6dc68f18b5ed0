package org.metric4j.loss;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.metric4j.math.NDMath;

/**
 * A weighted sum of metric losses on the same embeddings and labels (PML's {@code
 * MultipleLosses(losses, miners, weights)}): \( L = \sum_k w_k L_k(x, y) \), each weight 1 unless
 * given.
 *
 * <p>Each component mines with its own miner: PML's {@code miners[k]} is the miner set on
 * component k's builder ({@code optMiner}), and PML's {@code None} a component built without
 * one, which then uses all its pairs or triplets. A miner therefore serves only its own
 * component, as in PML. For components that read different model outputs (a classifier's logits
 * and the embeddings), see {@link JointLoss}.
 *
 * <p>{@link #lastSelection()} adds up the components' selections (empty if any component reports
 * none). A component that selects nothing contributes its zero, so an empty selection everywhere
 * gives 0 with a zero gradient.
 */
public final class MultipleLosses extends MetricLoss {

    private final List<MetricLoss> losses;
    private final double[] weights;

    private MultipleLosses(String name, List<MetricLoss> losses, double[] weights) {
        super(name);
        this.losses = List.copyOf(losses);
        this.weights = weights;
    }

    /** A builder. */
    public static Builder builder() {
        return new Builder();
    }

    /** The unweighted sum of the losses (PML's {@code MultipleLosses(losses)}, every weight 1). */
    public static MultipleLosses of(MetricLoss... losses) {
        Builder b = builder();
        for (MetricLoss loss : losses) {
            b.add(loss);
        }
        return b.build();
    }

    @Override
    public NDArray compute(NDArray embeddings, NDArray labels) {
        NDArray total = null;
        for (int k = 0; k < losses.size(); k++) {
            NDArray value = losses.get(k).compute(embeddings, labels);
            NDArray weighted = weights[k] == 1 ? value : NDMath.times(value, weights[k]);
            total = total == null ? weighted : total.add(weighted);
        }
        return total;
    }

    /** The components, in order. */
    public List<MetricLoss> components() {
        return losses;
    }

    /** The weight of component k. */
    public double weight(int k) {
        if (k < 0 || k >= losses.size()) {
            throw new IllegalArgumentException("component must be in [0, " + losses.size() + "), got " + k);
        }
        return weights[k];
    }

    /** The sum of the components' last selections (empty if any component has none). */
    @Override
    public Optional<Selection> lastSelection() {
        long count = 0;
        for (MetricLoss loss : losses) {
            Optional<Selection> s = loss.lastSelection();
            if (s.isEmpty()) {
                return Optional.empty();
            }
            count += s.get().count();
        }
        return Optional.of(new Selection(count));
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(getName()).append('(');
        for (int k = 0; k < losses.size(); k++) {
            sb.append(k == 0 ? "" : " + ").append(weights[k]).append(" * ").append(losses.get(k));
        }
        return sb.append(')').toString();
    }

    /** Builder of {@link MultipleLosses}. */
    public static final class Builder {
        private String name = "MultipleLosses";
        private final List<MetricLoss> losses = new ArrayList<>();
        private final List<Double> weights = new ArrayList<>();

        private Builder() {}

        /** The name in training logs (default "MultipleLosses"). */
        public Builder optName(String name) {
            if (name == null || name.isEmpty()) {
                throw new IllegalArgumentException("name must be a non-empty string, got " + (name == null ? "null" : "''"));
            }
            this.name = name;
            return this;
        }

        /** Adds a component of weight 1 (PML's default). */
        public Builder add(MetricLoss loss) {
            return add(loss, 1);
        }

        /**
         * Adds {@code weight * loss}.
         *
         * @param loss the component, with its own miner or none
         * @param weight its weight, finite and {@code >= 0}
         */
        public Builder add(MetricLoss loss, double weight) {
            if (loss == null) {
                throw new IllegalArgumentException("loss must be a MetricLoss, got null");
            }
            if (!(weight >= 0) || Double.isInfinite(weight)) {
                throw new IllegalArgumentException("weight of " + loss.getName() + " must be >= 0 and finite, got "
                        + weight);
            }
            losses.add(loss);
            weights.add(weight);
            return this;
        }

        /** The loss. */
        public MultipleLosses build() {
            if (losses.isEmpty()) {
                throw new IllegalArgumentException("a MultipleLosses needs at least one component, got none");
            }
            double[] w = new double[weights.size()];
            for (int k = 0; k < w.length; k++) {
                w[k] = weights.get(k);
            }
            return new MultipleLosses(name, losses, w);
        }
    }
}
