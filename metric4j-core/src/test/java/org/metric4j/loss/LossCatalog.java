package org.metric4j.loss;

import java.util.List;
import java.util.function.Supplier;
import org.metric4j.distance.CosineSimilarity;
import org.metric4j.distance.DotProductSimilarity;
import org.metric4j.distance.LpDistance;
import org.metric4j.miner.BatchHardMiner;
import org.metric4j.miner.TripletMarginMiner;

/**
 * The label-based losses under test, each with the properties it must have by definition.
 *
 * <p>Where "zero without positives / negatives" is false the loss still has valid terms in such a
 * batch (the contrastive negative part, the multi-similarity negative part, ...), as in
 * pytorch-metric-learning; the edge-case test then only asks for a finite loss and gradient.
 */
final class LossCatalog {

    private LossCatalog() {}

    /** How a loss may be permuted. */
    enum Permutation {
        /** Any permutation of the batch (rows and labels together). */
        ANY,
        /**
         * Only permutations that keep the relative order of the items of each class: the N-pair
         * loss takes the two smallest indices of a label as its (anchor, positive) pair, as PML
         * does, so another order picks other pairs.
         */
        WITHIN_CLASS_ORDER
    }

    /**
     * One loss configuration.
     *
     * @param name the name shown in test reports
     * @param factory builds the loss
     * @param nonNegative whether the loss is >= 0 by definition
     * @param scaleInvariant whether the loss sees only the directions of the rows
     * @param permutation which batch permutations leave it unchanged
     * @param zeroWithoutPositives whether a batch of distinct labels has no term (loss 0)
     * @param zeroWithoutNegatives whether a single-class batch has no term (loss 0)
     * @param gradientCheck whether autograd must match finite differences (false where the
     *     loss stops the gradient of a factor on purpose)
     */
    record Case(String name, Supplier<MetricLoss> factory, boolean nonNegative,
            boolean scaleInvariant, Permutation permutation, boolean zeroWithoutPositives,
            boolean zeroWithoutNegatives, boolean gradientCheck) {

        MetricLoss loss() {
            return factory.get();
        }

        @Override
        public String toString() {
            return name;
        }
    }

    private static Case of(String name, Supplier<MetricLoss> f, boolean nonNegative,
            boolean scaleInvariant, boolean zeroNoPos, boolean zeroNoNeg) {
        return new Case(name, f, nonNegative, scaleInvariant, Permutation.ANY, zeroNoPos, zeroNoNeg,
                true);
    }

    /** Every case. */
    static List<Case> all() {
        return List.of(
                of("Contrastive", () -> ContrastiveLoss.builder().build(), true, true, false, false),
                of("Contrastive(cosine)", () -> ContrastiveLoss.builder()
                        .optDistance(CosineSimilarity.create()).optPosMargin(0.9).optNegMargin(0.1)
                        .build(), true, true, false, false),
                of("TripletMargin(all)", () -> TripletMarginLoss.builder().optMargin(0.2).build(),
                        true, true, true, true),
                of("TripletMargin(all, smooth, squared L2)", () -> TripletMarginLoss.builder()
                        .optSmoothLoss().optDistance(LpDistance.squaredEuclidean()).build(),
                        true, true, true, true),
                of("TripletMargin(all, swap, cosine)", () -> TripletMarginLoss.builder()
                        .optSwap().optMargin(0.3).optDistance(CosineSimilarity.create()).build(),
                        true, true, true, true),
                of("TripletMargin(BatchHardMiner)", () -> TripletMarginLoss.builder().optMargin(0.2)
                        .optMiner(BatchHardMiner.builder().build()).build(), true, true, true, true),
                of("TripletMargin(SEMIHARD)", () -> TripletMarginLoss.builder().optMargin(0.5)
                        .optMiner(TripletMarginMiner.builder().optMargin(0.5)
                                .optType(TripletMarginMiner.Type.SEMIHARD).build())
                        .build(), true, true, true, true),
                of("LiftedStructure", () -> LiftedStructureLoss.builder().build(), true, true, true,
                        true),
                of("GeneralizedLiftedStructure", () -> GeneralizedLiftedStructureLoss.builder().build(), true, true,
                        false, false),
                new Case("NPairs", () -> NPairsLoss.builder().build(), true, true, Permutation.WITHIN_CLASS_ORDER,
                        true, true, true),
                new Case("NPairs(raw dot product)", () -> NPairsLoss.builder().optDistance(DotProductSimilarity.create()).build(),
                        true, false, Permutation.WITHIN_CLASS_ORDER, true, true, true),
                of("NTXent", () -> NTXentLoss.builder().build(), true, true, true, true),
                of("SupCon", () -> SupConLoss.builder().build(), true, true, true, true),
                // CircleLoss stops the gradient of its weights alpha (as the paper and PML do), so
                // its autograd gradient is not the derivative of its value.
                new Case("Circle", () -> CircleLoss.builder().build(), true, true, Permutation.ANY,
                        true, true, false),
                of("MultiSimilarity", () -> MultiSimilarityLoss.builder().build(), true, true, false,
                        false),
                of("NCA", () -> NCALoss.builder().build(), true, true, true, true),
                // The negatives enter the angular loss unnormalized (as in PML): not scale-invariant.
                of("Angular", () -> AngularLoss.builder().build(), true, false, true, true),
                of("SoftNearestNeighbors", () -> SoftNearestNeighborsLoss.builder().optTemperature(2.0).build(), true, false, true,
                        true),
                // The positive is left out of the denominator: the loss can be negative.
                of("DecoupledContrastive", () -> DecoupledContrastiveLoss.builder().build(), false, true, true, true),
                of("Unified", () -> UnifiedLoss.builder().build(), true, true, true, true),
                of("HadsellContrastive", () -> HadsellContrastiveLoss.builder().build(), true, false, false, false));
    }
}
