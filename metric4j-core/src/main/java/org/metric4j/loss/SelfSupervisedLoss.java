package org.metric4j.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.loss.Loss;
import java.util.Objects;
import org.metric4j.math.Inputs;

/**
 * Two views of the same items around a label-based pair loss (PML's {@code SelfSupervisedLoss},
 * the SimCLR setting of Chen et al. 2020, arXiv:2002.05709): row i of both views gets label i, so
 * each row's only positive is the other view of the same item.
 *
 * <ul>
 *   <li>{@link #symmetric}: the inner loss sees the 2n rows \( [Z; Z'] \) with labels
 *       \( [0..n-1, 0..n-1] \), both directions count (PML's default, {@code symmetric=True}).
 *   <li>{@link #asymmetric}: the inner loss sees Z as queries against Z' as a separate reference
 *       set, both labelled \( 0..n-1 \) ({@code symmetric=False}); it needs a {@link
 *       ReferenceSetLoss} such as {@link NTXentLoss}.
 * </ul>
 *
 * <p>{@link #evaluate} takes {@code predictions = [view1, view2]} (n x D each); labels are ignored.
 * Gradients flow to both views.
 */
public final class SelfSupervisedLoss extends Loss {

    private final MetricLoss symmetricLoss;
    private final ReferenceSetLoss referenceLoss;

    private SelfSupervisedLoss(MetricLoss symmetricLoss, ReferenceSetLoss referenceLoss) {
        super("SelfSupervisedLoss");
        this.symmetricLoss = symmetricLoss;
        this.referenceLoss = referenceLoss;
    }

    /**
     * The symmetric form: {@code loss} on the concatenated views.
     *
     * @param loss any pair loss on labelled embeddings (NTXent, contrastive, triplet ...)
     */
    public static SelfSupervisedLoss symmetric(MetricLoss loss) {
        return new SelfSupervisedLoss(Objects.requireNonNull(loss, "loss"), null);
    }

    /**
     * The asymmetric form: {@code loss} on the first view as queries against the second as
     * references.
     *
     * @param loss a loss that takes a separate reference set
     */
    public static SelfSupervisedLoss asymmetric(ReferenceSetLoss loss) {
        return new SelfSupervisedLoss(null, Objects.requireNonNull(loss, "loss"));
    }

    @Override
    public NDArray evaluate(NDList labels, NDList predictions) {
        return compute(
                ExplicitInputs.get(getName(), predictions, 0, "the first view"),
                ExplicitInputs.get(getName(), predictions, 1, "the second view"));
    }

    /**
     * The loss of two views.
     *
     * @param view1 n x D embeddings (PML's {@code embeddings})
     * @param view2 n x D embeddings of the same items, row for row (PML's {@code ref_emb})
     * @return the inner loss, a scalar of the views' dtype
     */
    public NDArray compute(NDArray view1, NDArray view2) {
        long n = Inputs.embeddings("view1", view1);
        Inputs.embeddings("view2", view2);
        Inputs.sameShape("view1", view1, "view2", view2);
        if (view1.getDataType() != view2.getDataType()) {
            throw new IllegalArgumentException("view2 must have the dtype of view1 (" + view1.getDataType()
                    + "), got " + view2.getDataType());
        }
        NDArray ids = view1.getManager().arange((int) n).toType(DataType.INT64, false)
                .toDevice(view1.getDevice(), false);
        if (symmetricLoss != null) {
            return symmetricLoss.compute(view1.concat(view2, 0), ids.concat(ids, 0));
        }
        return referenceLoss.compute(view1, ids, view2, ids);
    }

    @Override
    public String toString() {
        return symmetricLoss != null ? "SelfSupervisedLoss(symmetric, " + symmetricLoss + ")"
                : "SelfSupervisedLoss(asymmetric, " + referenceLoss + ")";
    }
}
