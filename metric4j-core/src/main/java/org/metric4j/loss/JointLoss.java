package org.metric4j.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDScope;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.evaluator.Evaluator;
import ai.djl.training.loss.AbstractCompositeLoss;
import ai.djl.training.loss.Loss;
import ai.djl.util.Pair;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.metric4j.math.NDMath;
import org.metric4j.schedule.StepUpdate;

/**
 * A weighted sum of losses on one model's outputs, \( L = \sum_k w_k L_k \): softmax +
 * lambda * center loss (Wen et al. 2016), DeepID2's softmax + lambda * contrastive (Sun et al.
 * 2014). Each component reads chosen entries of the predictions list (say [logits, embeddings,
 * centers]) and all the labels.
 *
 * <p>A DJL {@link AbstractCompositeLoss}, with two departures from it. DJL sums its components
 * unweighted (in {@code evaluate} and in the accumulators); here the weights stay in the sum, so
 * the logged {@code train_epoch_<name>} is the weighted total that training minimizes. And DJL
 * logs a component only when the component is itself one of the trainer's evaluators, which for
 * a component reading a subset of the predictions evaluates the wrong inputs; {@link
 * #componentEvaluators()} gives one evaluator per component that reads this loss's own
 * accumulators (each component's unweighted value, computed once per batch with the total), and
 * {@link #register(DefaultTrainingConfig)} adds them to a training config ({@link
 * #newTrainingConfig()} makes one). After {@code
 * EasyTrain.fit} the trainer's metrics then hold {@code train_epoch_<component>} for every part
 * and \( \sum_k w_k \cdot \) part_k as {@code train_epoch_<name>}.
 *
 * <p>Components whose state changes once per step (a {@link StepUpdate}, such as a {@link
 * CenterLoss} with its update rule) are forwarded their inputs by {@link #afterStep}; {@code
 * evaluate} never changes state, so DJL's second evaluation for logging is harmless.
 */
public final class JointLoss extends AbstractCompositeLoss implements StepUpdate {

    private final double[] weights;
    private final int[][] inputs;
    private final List<Evaluator> parts;
    /** Per accumulator key: the sums of each component's value, then the weighted total. */
    private final Map<String, double[]> sums = new HashMap<>();
    private final Map<String, Long> batches = new HashMap<>();

    private JointLoss(String name, List<Loss> losses, double[] weights, int[][] inputs) {
        super(name);
        this.components = List.copyOf(losses);
        this.weights = weights;
        this.inputs = inputs;
        List<Evaluator> views = new ArrayList<>();
        Set<String> names = new HashSet<>();
        names.add(name);
        for (int k = 0; k < losses.size(); k++) {
            String partName = losses.get(k).getName();
            for (int n = 2; !names.add(partName); n++) {
                partName = losses.get(k).getName() + "_" + n;
            }
            views.add(new Part(partName, k));
        }
        this.parts = List.copyOf(views);
    }

    /** A builder. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    protected Pair<NDList, NDList> inputForComponent(int componentIndex, NDList labels, NDList predictions) {
        int[] wanted = inputs[componentIndex];
        NDList selected = new NDList(wanted.length);
        for (int i : wanted) {
            if (predictions == null || i >= predictions.size()) {
                throw new IllegalArgumentException(
                        getName() + ": component " + components.get(componentIndex).getName() + " reads prediction "
                                + i + ", but predictions hold " + (predictions == null ? 0 : predictions.size()));
            }
            selected.add(predictions.get(i));
        }
        return new Pair<>(labels, selected);
    }

    /** \( \sum_k w_k L_k \) on each component's inputs (DJL's composite would drop the weights). */
    @Override
    public NDArray evaluate(NDList labels, NDList predictions) {
        NDArray total = null;
        for (int k = 0; k < components.size(); k++) {
            Pair<NDList, NDList> in = inputForComponent(k, labels, predictions);
            NDArray value = components.get(k).evaluate(in.getKey(), in.getValue());
            NDArray weighted = weights[k] == 1 ? value : NDMath.times(value, weights[k]);
            total = total == null ? weighted : total.add(weighted);
        }
        return total;
    }

    /** Forwards the step to every component that is a {@link StepUpdate}, with its own inputs. */
    @Override
    public void afterStep(NDList labels, NDList predictions) {
        for (int k = 0; k < components.size(); k++) {
            if (components.get(k) instanceof StepUpdate update) {
                Pair<NDList, NDList> in = inputForComponent(k, labels, predictions);
                update.afterStep(in.getKey(), in.getValue());
            }
        }
    }

    /** The components' losses, in order. */
    public List<Loss> components() {
        return List.copyOf(components);
    }

    /** The weight of component k. */
    public double weight(int k) {
        return weights[k];
    }

    /**
     * One evaluator per component, in order, named after the component (a repeated name gets
     * {@code _2}, {@code _3}, ...): added to a DJL trainer's evaluators, each is logged as
     * {@code train_epoch_<component>} with the component's unweighted mean per batch. They read
     * this loss's accumulators, which the trainer updates because the loss is always one of its
     * evaluators; their own update methods do nothing.
     */
    public List<Evaluator> componentEvaluators() {
        return parts;
    }

    /**
     * Adds {@link #componentEvaluators()} to a training config (built on this loss).
     *
     * @param config {@code new DefaultTrainingConfig(thisLoss)}
     * @return the config
     */
    public DefaultTrainingConfig register(DefaultTrainingConfig config) {
        if (config.getLossFunction() != this) {
            throw new IllegalArgumentException(
                    "config's loss must be this JointLoss, got " + config.getLossFunction());
        }
        return config.addEvaluators(parts);
    }

    /** {@code new DefaultTrainingConfig(this)} with {@link #componentEvaluators()} registered. */
    public DefaultTrainingConfig newTrainingConfig() {
        return register(new DefaultTrainingConfig(this));
    }

    @Override
    public void addAccumulator(String key) {
        sums.put(key, new double[components.size() + 1]);
        batches.put(key, 0L);
    }

    @Override
    public void updateAccumulator(String key, NDList labels, NDList predictions) {
        updateAccumulators(new String[] {key}, labels, predictions);
    }

    /** Evaluates each component once and adds its value, and the weighted total, under every key. */
    @Override
    public void updateAccumulators(String[] keys, NDList labels, NDList predictions) {
        double[] values = new double[components.size() + 1];
        try (NDScope scope = new NDScope()) {
            for (int k = 0; k < components.size(); k++) {
                Pair<NDList, NDList> in = inputForComponent(k, labels, predictions);
                NDArray v = components.get(k).evaluate(in.getKey(), in.getValue()).sum();
                values[k] = v.toType(ai.djl.ndarray.types.DataType.FLOAT64, false).getDouble();
                values[components.size()] += weights[k] * values[k];
            }
        }
        for (String key : keys) {
            double[] s = accumulator(key);
            for (int k = 0; k < values.length; k++) {
                s[k] += values[k];
            }
            batches.merge(key, 1L, Long::sum);
        }
    }

    @Override
    public void resetAccumulator(String key) {
        Arrays.fill(accumulator(key), 0);
        batches.put(key, 0L);
    }

    /** The mean per batch of the weighted total under a key (NaN before the first batch). */
    @Override
    public float getAccumulator(String key) {
        return mean(key, components.size());
    }

    /**
     * The mean per batch of component k's unweighted value under a key.
     *
     * @param k the component
     * @param key the accumulator key (say {@code EvaluatorTrainingListener.TRAIN_EPOCH})
     * @return the mean, NaN before the first batch
     */
    public float componentAccumulator(int k, String key) {
        if (k < 0 || k >= components.size()) {
            throw new IllegalArgumentException("component must be in [0, " + components.size() + "), got " + k);
        }
        return mean(key, k);
    }

    private float mean(String key, int slot) {
        long n = batches.getOrDefault(key, 0L);
        return n == 0 ? Float.NaN : (float) (accumulator(key)[slot] / n);
    }

    private double[] accumulator(String key) {
        double[] s = sums.get(key);
        if (s == null) {
            throw new IllegalArgumentException(getName() + ": no accumulator '" + key + "' (addAccumulator first)");
        }
        return s;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(getName()).append('(');
        for (int k = 0; k < components.size(); k++) {
            sb.append(k == 0 ? "" : " + ").append(weights[k]).append(" * ").append(components.get(k))
                    .append(" on ").append(Arrays.toString(inputs[k]));
        }
        return sb.append(')').toString();
    }

    /** A component's view of the joint loss's accumulators, to log it as a DJL evaluator. */
    private final class Part extends Evaluator {
        private final int index;

        Part(String name, int index) {
            super(name);
            this.index = index;
        }

        @Override
        public NDArray evaluate(NDList labels, NDList predictions) {
            Pair<NDList, NDList> in = inputForComponent(index, labels, predictions);
            return components.get(index).evaluate(in.getKey(), in.getValue());
        }

        @Override
        public void addAccumulator(String key) {
            // the joint loss owns the accumulators
        }

        @Override
        public void updateAccumulators(String[] keys, NDList labels, NDList predictions) {
            // updated by the joint loss, once per batch for all components
        }

        @Override
        public void updateAccumulator(String key, NDList labels, NDList predictions) {
            // updated by the joint loss
        }

        @Override
        public void resetAccumulator(String key) {
            // reset by the joint loss
        }

        @Override
        public float getAccumulator(String key) {
            return sums.containsKey(key) ? componentAccumulator(index, key) : Float.NaN;
        }

        @Override
        public String toString() {
            return getName() + " of " + JointLoss.this.getName();
        }
    }

    /** Builder of {@link JointLoss}. */
    public static final class Builder {
        private String name = "JointLoss";
        private final List<Loss> losses = new ArrayList<>();
        private final List<Double> weights = new ArrayList<>();
        private final List<int[]> inputs = new ArrayList<>();

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
            for (int i : predictionIndices) {
                if (i < 0) {
                    throw new IllegalArgumentException("prediction indices must be >= 0, got " + i);
                }
            }
            losses.add(loss);
            weights.add(weight);
            inputs.add(predictionIndices.clone());
            return this;
        }

        /** The loss. */
        public JointLoss build() {
            if (losses.isEmpty()) {
                throw new IllegalArgumentException("a JointLoss needs at least one component");
            }
            double[] w = new double[weights.size()];
            for (int k = 0; k < w.length; k++) {
                w[k] = weights.get(k);
            }
            return new JointLoss(name, losses, w, inputs.toArray(new int[0][]));
        }
    }
}
