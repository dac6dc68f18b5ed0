package org.metric4j.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.training.loss.Loss;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.metric4j.math.NDMath;

/**
 * A weighted sum of losses on one model's outputs, \( L = \sum_k w_k L_k \): softmax +
 * lambda * center loss (Wen et al. 2016), DeepID2's softmax + lambda * contrastive (Sun et al.
 * 2014). Each component reads chosen entries of the predictions list (say [logits, embeddings,
 * centers]) and all the labels.
 */
public final class JointLoss extends Loss {

    private final List<Component> components;


    private record Component(Loss loss, double weight, int[] inputs) {}

    private JointLoss(String name, List<Component> components) {
        super(name);
        this.components = List.copyOf(components);

    }

    /** A builder. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public NDArray evaluate(NDList labels, NDList predictions) {
        NDArray total = null;
        for (int k = 0; k < components.size(); k++) {
            Component c = components.get(k);
            NDList inputs = new NDList();
            for (int i : c.inputs()) {
                if (predictions == null || i >= predictions.size()) {
                    throw new IllegalArgumentException(
                            getName() + ": component " + c.loss().getName() + " reads prediction " + i
                                    + ", but predictions hold " + (predictions == null ? 0 : predictions.size()));
                }
                inputs.add(predictions.get(i));
            }
            NDArray value = c.loss().evaluate(labels, inputs);
            NDArray weighted = c.weight() == 1 ? value : NDMath.times(value, c.weight());
            total = total == null ? weighted : total.add(weighted);
        }
        return total;
    }

    /** The components' losses, in order. */
    public List<Loss> components() {
        List<Loss> out = new ArrayList<>();
        for (Component c : components) {
            out.add(c.loss());
        }
        return out;
    }


    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(getName()).append('(');
        for (int k = 0; k < components.size(); k++) {
            Component c = components.get(k);
            sb.append(k == 0 ? "" : " + ").append(c.weight()).append(" * ").append(c.loss())
                    .append(" on ").append(Arrays.toString(c.inputs()));
        }
        return sb.append(')').toString();
    }

    /** Builder of {@link JointLoss}. */
    public static final class Builder {
        private String name = "JointLoss";
        private final List<Component> components = new ArrayList<>();

        /** The name in training logs (default "JointLoss"). */
        public Builder optName(String name) {
            this.name = name;
            return this;
        }

        /**
         * Adds {@code weight * loss}, the loss reading the given prediction entries.
         *
         * @param loss the component
         * @param weight its weight (finite, >= 0)
         * @param predictionIndices which entries of the predictions it reads, in order
         */
        public Builder add(Loss loss, double weight, int... predictionIndices) {
            if (!(weight >= 0) || Double.isInfinite(weight)) {
                throw new IllegalArgumentException("weight must be >= 0 and finite, got " + weight);
            }
            if (predictionIndices.length == 0) {
                throw new IllegalArgumentException("a component must read at least one prediction entry");
            }
            components.add(new Component(loss, weight, predictionIndices.clone()));
            return this;
        }

        /** The loss. */
        public JointLoss build() {
            if (components.isEmpty()) {
                throw new IllegalArgumentException("a JointLoss needs at least one component");
            }
            return new JointLoss(name, components);
        }
    }
}
