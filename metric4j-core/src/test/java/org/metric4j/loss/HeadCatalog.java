package org.metric4j.loss;

import ai.djl.ndarray.NDArray;
import java.util.List;
import java.util.function.Supplier;
import org.metric4j.head.ClassScores;
import org.metric4j.head.LinearClassifier;
import org.metric4j.schedule.Schedule;
import org.metric4j.schedule.TrainingClock;

/**
 * The classification losses under test (issue #12 part 8), each with the head it needs, as one
 * function {@code (x, W, labels) -> loss}. This is the only file that builds these losses: when a
 * constructor or builder changes, only this file changes.
 *
 * <p>Layout of the class parameter W, always D x (C k) with one column per class (k = 1) or per
 * sub-center (column {@code c*k + j} is sub-center j of class c):
 * <ul>
 *   <li>{@link Kind#LOGITS}: {@link LinearClassifier#logits} with W and the bias
 *       \( b_c = 0.1 \sum_d W_{dc} \) (a function of the column, so that renaming the classes
 *       moves it with its column);</li>
 *   <li>{@link Kind#COSINE}: {@link ClassScores#of} (a {@link org.metric4j.head.CosineClassifier}
 *       with k sub-centers) then the margin loss;</li>
 *   <li>{@link Kind#CENTERS}: center loss with the centers \( W^T \) (C x D);</li>
 *   <li>{@link Kind#BATCH}: CoCo, whose centroids come from the batch; W is not used.</li>
 * </ul>
 */
final class HeadCatalog {

    private HeadCatalog() {}

    /** How a case uses W. */
    enum Kind { LOGITS, COSINE, CENTERS, BATCH }

    /** A loss with its head: the mean loss of a batch, a scalar of x's dtype. */
    @FunctionalInterface
    interface HeadLoss {
        NDArray apply(NDArray x, NDArray w, NDArray labels);
    }

    /**
     * One configuration.
     *
     * @param name the name in test reports
     * @param kind how W is used
     * @param subCenters k, the columns of W per class
     * @param factory builds the loss with its head
     * @param embeddingScaleInvariant whether rescaling the rows of x by positive factors leaves
     *     the loss unchanged
     * @param weightScaleInvariant whether rescaling the columns of W does
     * @param oneClassIsZero whether a single-class problem (C = 1) has loss 0 (a softmax over one
     *     logit)
     */
    record Case(String name, Kind kind, int subCenters, Supplier<HeadLoss> factory,
            boolean embeddingScaleInvariant, boolean weightScaleInvariant, boolean oneClassIsZero) {

        HeadLoss loss() {
            return factory.get();
        }

        boolean usesWeights() {
            return kind != Kind.BATCH;
        }

        @Override
        public String toString() {
            return name;
        }
    }

    // ---- the losses, built in this one place ----

    static HeadLoss softmax() {
        SoftmaxLoss loss = new SoftmaxLoss();
        return (x, w, y) -> loss.compute(LinearClassifier.logits(x, w, bias(w)), y);
    }

    /** The bias of {@link Kind#LOGITS}: 0.1 times each column's sum. */
    static NDArray bias(NDArray w) {
        return org.metric4j.math.NDMath.mul(w.sum(new int[] {0}), 0.1);
    }

    static MarginSoftmaxLoss normFace(double temperature) {
        return NormalizedSoftmaxLoss.builder().optTemperature(temperature).build();
    }

    static MarginSoftmaxLoss normFace() {
        return NormalizedSoftmaxLoss.builder().build();
    }

    static MarginSoftmaxLoss largeMargin(int margin, double scale, double lambda) {
        return LargeMarginSoftmaxLoss.builder().optMargin(margin).optScale(scale).optLambda(lambda)
                .build();
    }

    static MarginSoftmaxLoss sphereFace(int margin, double scale, double lambda) {
        return SphereFaceLoss.builder().optMargin(margin).optScale(scale).optLambda(lambda).build();
    }

    static MarginSoftmaxLoss cosFace(double scale, double margin) {
        return CosFaceLoss.builder().optScale(scale).optMargin(margin).build();
    }

    static MarginSoftmaxLoss arcFace(double scale, double margin, ArcFaceLoss.Fallback fallback) {
        return ArcFaceLoss.builder().optScale(scale).optMargin(margin).optFallback(fallback).build();
    }

    static MarginSoftmaxLoss combined(double scale, double m1, double m2, double m3) {
        return CombinedMarginLoss.builder().optScale(scale).optM1(m1).optM2(m2).optM3(m3).build();
    }

    // ---- scheduled losses (part 6) ----

    static ArcFaceLoss arcFace(Schedule margin, TrainingClock clock) {
        return ArcFaceLoss.builder().optMargin(margin, clock).build();
    }

    static CosFaceLoss cosFace(Schedule margin, TrainingClock clock) {
        return CosFaceLoss.builder().optMargin(margin, clock).build();
    }

    static LargeMarginSoftmaxLoss sphereFace(Schedule lambda, TrainingClock clock) {
        return SphereFaceLoss.builder().optLambda(lambda, clock).build();
    }

    /** A margin loss on a cosine head with k sub-centers. */
    static HeadLoss cosine(MarginSoftmaxLoss loss, int subCenters) {
        return (x, w, y) -> loss.compute(ClassScores.of(x, w, subCenters), y);
    }

    static HeadLoss coco() {
        CoCoLoss loss = CoCoLoss.builder().build();
        return (x, w, y) -> loss.compute(x, y);
    }

    static HeadLoss center() {
        CenterLoss loss = new CenterLoss();
        return (x, w, y) -> loss.compute(x, w.transpose(), y);
    }

    private static Case cos(String name, Supplier<MarginSoftmaxLoss> f, boolean xInvariant,
            boolean wInvariant) {
        return new Case(name, Kind.COSINE, 1, () -> cosine(f.get(), 1), xInvariant, wInvariant,
                true);
    }

    /** Every case. */
    static List<Case> all() {
        return List.of(
                new Case("Softmax", Kind.LOGITS, 1, HeadCatalog::softmax, false, false, true),
                cos("NormFace", HeadCatalog::normFace, true, true),
                cos("L-Softmax(m=4)", () -> largeMargin(4, 1, 0), false, false),
                cos("L-Softmax(m=2, lambda=1)", () -> largeMargin(2, 1, 1), false, false),
                cos("SphereFace(m=4)", () -> sphereFace(4, 1, 0), false, true),
                cos("SphereFace(m=3, lambda=5)", () -> sphereFace(3, 1, 5), false, true),
                cos("CosFace", () -> cosFace(CosFaceLoss.DEFAULT_SCALE, CosFaceLoss.DEFAULT_MARGIN),
                        true, true),
                cos("ArcFace(NONE)", () -> arcFace(ArcFaceLoss.DEFAULT_SCALE,
                        ArcFaceLoss.DEFAULT_MARGIN, ArcFaceLoss.Fallback.NONE), true, true),
                cos("ArcFace(MONOTONE)", () -> arcFace(ArcFaceLoss.DEFAULT_SCALE,
                        ArcFaceLoss.DEFAULT_MARGIN, ArcFaceLoss.Fallback.MONOTONE), true, true),
                cos("ArcFace(EASY_MARGIN)", () -> arcFace(ArcFaceLoss.DEFAULT_SCALE,
                        ArcFaceLoss.DEFAULT_MARGIN, ArcFaceLoss.Fallback.EASY_MARGIN), true, true),
                cos("Combined(1, 0.3, 0.2)", () -> combined(CombinedMarginLoss.DEFAULT_SCALE,
                        CombinedMarginLoss.DEFAULT_M1, CombinedMarginLoss.DEFAULT_M2,
                        CombinedMarginLoss.DEFAULT_M3), true, true),
                cos("Combined(1.35, 0.25, 0.1)", () -> combined(32, 1.35, 0.25, 0.1), true, true),
                new Case("SubCenterArcFace(k=3)", Kind.COSINE, 3, () -> cosine(arcFace(
                        ArcFaceLoss.DEFAULT_SCALE, ArcFaceLoss.DEFAULT_MARGIN,
                        ArcFaceLoss.Fallback.NONE), 3), true, true, true),
                new Case("CoCo", Kind.BATCH, 1, HeadCatalog::coco, true, true, true),
                new Case("Center", Kind.CENTERS, 1, HeadCatalog::center, false, false, false));
    }
}
