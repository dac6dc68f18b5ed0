package org.metric4j.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.training.loss.Loss;
import java.util.Optional;
import org.metric4j.math.NDMath;
import org.metric4j.reducer.LossTerms;
import org.metric4j.reducer.Reducer;

/**
 * A loss on a batch of embeddings with class labels. As a DJL {@link Loss}, {@link
 * #evaluate(NDList, NDList)} takes the labels as the first array of {@code labels} and the B x D
 * embeddings as the first array of {@code predictions}, so any DJL {@code Trainer} can use it.
 * The loss is computed in the embeddings' dtype.
 *
 * <p>As {@link SelectionStats}, a loss that reduces its terms through {@link #reduce} (or returns
 * {@link #nothingSelected}) reports how many pairs, triplets or anchors its last call used.
 */
public abstract class MetricLoss extends Loss implements SelectionStats {

    private volatile Selection lastSelection;

    /**
     * @param name the name shown in training logs
     */
    protected MetricLoss(String name) {
        super(name);
    }

    @Override
    public NDArray evaluate(NDList labels, NDList predictions) {
        if (predictions == null || predictions.isEmpty()) {
            throw new IllegalArgumentException(
                    getName() + ": predictions must hold the B x D embeddings, got none");
        }
        if (labels == null || labels.isEmpty()) {
            throw new IllegalArgumentException(
                    getName() + ": labels must hold the B class ids, got none");
        }
        return compute(predictions.head(), labels.head());
    }

    /**
     * The scalar loss of a batch.
     *
     * @param embeddings B x D embeddings (float32 or float64)
     * @param labels B class ids
     * @return the loss, a scalar of the embeddings' dtype
     */
    public abstract NDArray compute(NDArray embeddings, NDArray labels);

    @Override
    public Optional<Selection> lastSelection() {
        return Optional.ofNullable(lastSelection);
    }

    /**
     * Reduces each part with {@code reducer}, sums the results and records the selection: the
     * parts' {@link LossTerms#selectedCount()} summed (a loss with positive and negative pair terms
     * passes both).
     *
     * @param reducer the reducer
     * @param parts the terms, at least one
     * @return the sum of the reduced parts
     */
    protected final NDArray reduce(Reducer reducer, LossTerms... parts) {
        long count = 0;
        NDArray sum = null;
        for (LossTerms part : parts) {
            count += part.selectedCount();
            NDArray reduced = reducer.reduce(part);
            sum = sum == null ? reduced : sum.add(reduced);
        }
        lastSelection = new Selection(count);
        return sum;
    }

    /**
     * The zero loss of a call that selected nothing, connected to the graph of {@code like}, and
     * the empty selection recorded.
     */
    protected final NDArray nothingSelected(NDArray like) {
        lastSelection = new Selection(0);
        return NDMath.zeroLoss(like);
    }
}
