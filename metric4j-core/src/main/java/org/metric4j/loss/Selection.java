package org.metric4j.loss;

/**
 * What one call of a selecting loss used: the number of pairs, triplets or anchors that gave it
 * terms. It counts what the loss's terms are made of: triplets for {@link TripletMarginLoss}
 * (mined or all valid ones), positive and negative pairs for {@link ContrastiveLoss}, positive
 * pairs for {@link NTXentLoss}, {@link LiftedStructureLoss} and {@link AngularLoss}, anchors with
 * a selected pair for the per-anchor losses ({@link MultiSimilarityLoss}, {@link CircleLoss},
 * {@link NPairsLoss}, ...). A loss with nothing to select returns a zero
 * that stays connected to the graph; {@link #empty()} tells that zero apart from a zero of
 * satisfied margins.
 *
 * @param count the pairs, triplets or anchors selected, {@code >= 0}
 */
public record Selection(long count) {

    /** Checks the count. */
    public Selection {
        if (count < 0) {
            throw new IllegalArgumentException("count must be >= 0, got " + count);
        }
    }

    /** Whether nothing was selected (the loss was 0 because it had no term). */
    public boolean empty() {
        return count == 0;
    }
}
