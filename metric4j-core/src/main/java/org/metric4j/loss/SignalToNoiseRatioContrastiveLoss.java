package org.metric4j.loss;

import ai.djl.ndarray.NDArray;
import java.util.Optional;
import org.metric4j.distance.Distance;
import org.metric4j.distance.PairRelation;
import org.metric4j.distance.SNRDistance;
import org.metric4j.math.Inputs;
import org.metric4j.miner.PairMiner;
import org.metric4j.reducer.AvgNonZeroReducer;
import org.metric4j.reducer.Reducer;

/**
 * Signal-to-noise ratio contrastive loss (Yuan et al. 2019, arXiv:1904.02616): the contrastive
 * loss \( [d_{ap} - m_{pos}]_+ \), \( [m_{neg} - d_{an}]_+ \) on the {@link SNRDistance} (ordered
 * pairs: the anchor's variance is the signal), each part reduced on its own (default: mean over
 * its non-zero terms) and the two added. PML's {@code SignalToNoiseRatioContrastiveLoss}, which
 * is its {@code ContrastiveLoss} with that distance (the same as {@link ContrastiveLoss} built
 * with {@code optDistance(SNRDistance.create())}); the distance must be an SNR distance.
 *
 * <p>Defaults (PML): pos margin {@value #DEFAULT_POS_MARGIN}, neg margin {@value
 * #DEFAULT_NEG_MARGIN}, SNR distance of L2-normalized embeddings, {@link AvgNonZeroReducer}, no
 * miner.
 */
public final class SignalToNoiseRatioContrastiveLoss extends MetricLoss implements ReferenceSetLoss {

    /** Default positive margin. */
    public static final double DEFAULT_POS_MARGIN = 0;
    /** Default negative margin. */
    public static final double DEFAULT_NEG_MARGIN = 1;

    private final double posMargin;
    private final double negMargin;
    private final Distance distance;
    private final PairMiner miner;
    private final Reducer reducer;
    /** The contrastive loss on the SNR distance that computes this one. */
    private final ContrastiveLoss contrastive;

    private SignalToNoiseRatioContrastiveLoss(Builder b) {
        super("SignalToNoiseRatioContrastiveLoss");
        this.posMargin = b.posMargin;
        this.negMargin = b.negMargin;
        this.distance = b.distance();
        this.miner = b.miner();
        this.reducer = b.reducer();
        ContrastiveLoss.Builder c = ContrastiveLoss.builder().optPosMargin(posMargin).optNegMargin(negMargin)
                .optDistance(distance).optReducer(reducer);
        if (miner != null) {
            c.optMiner(miner);
        }
        this.contrastive = c.build();
    }

    /** A builder with PML's defaults. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public NDArray compute(NDArray embeddings, NDArray labels) {
        return contrastive.compute(embeddings, labels);
    }

    @Override
    public NDArray compute(NDArray embeddings, NDArray labels, NDArray refEmbeddings, NDArray refLabels) {
        return contrastive.compute(embeddings, labels, refEmbeddings, refLabels);
    }

    @Override
    public NDArray compute(NDArray embeddings, NDArray refEmbeddings, PairRelation relation) {
        return contrastive.compute(embeddings, refEmbeddings, relation);
    }

    @Override
    public Optional<Selection> lastSelection() {
        return contrastive.lastSelection();
    }

    @Override
    public String toString() {
        return "SignalToNoiseRatioContrastiveLoss(posMargin=" + posMargin + ", negMargin=" + negMargin
                + ", distance=" + distance + ", miner=" + miner + ", reducer=" + reducer + ")";
    }

    /** Builder of {@link SignalToNoiseRatioContrastiveLoss}; distance (an SNR distance), miner and reducer from {@link PairLossBuilder}. */
    public static final class Builder extends PairLossBuilder<PairMiner, Builder> {
        private double posMargin = DEFAULT_POS_MARGIN;
        private double negMargin = DEFAULT_NEG_MARGIN;

        private Builder() {
            super(SNRDistance.create(), new AvgNonZeroReducer());
        }

        /** Positive pairs are pulled below this SNR (default {@value #DEFAULT_POS_MARGIN}). */
        public Builder optPosMargin(double posMargin) {
            this.posMargin = Inputs.finite("posMargin", posMargin);
            return this;
        }

        /** Negative pairs are pushed beyond this SNR (default {@value #DEFAULT_NEG_MARGIN}). */
        public Builder optNegMargin(double negMargin) {
            this.negMargin = Inputs.finite("negMargin", negMargin);
            return this;
        }

        @Override
        Distance checkDistance(Distance distance) {
            if (!(distance instanceof SNRDistance)) {
                throw new IllegalArgumentException("distance must be an SNRDistance, got " + distance);
            }
            return distance;
        }

        @Override
        Builder self() {
            return this;
        }

        /** The loss. */
        public SignalToNoiseRatioContrastiveLoss build() {
            return new SignalToNoiseRatioContrastiveLoss(this);
        }
    }
}
