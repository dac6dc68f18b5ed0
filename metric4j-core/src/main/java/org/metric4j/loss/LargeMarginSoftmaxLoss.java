package org.metric4j.loss;

import ai.djl.ndarray.NDArray;
import org.metric4j.head.ClassScores;
import org.metric4j.math.Inputs;
import org.metric4j.math.NDMath;
import org.metric4j.schedule.Schedule;
import org.metric4j.schedule.ScheduledParameter;
import org.metric4j.schedule.TrainingClock;

/**
 * L-Softmax (Liu et al. 2016, arXiv:1612.02295) and, with normalized weights, A-Softmax /
 * SphereFace (Liu et al. 2017, arXiv:1704.08063): multiplicative angular margin m (an integer).
 * Target logit \( \|W_y\|\|x\|\,\psi(\theta_y) \) with
 * \( \psi(\theta) = (-1)^k \cos(m\theta) - 2k \), \( k = \lfloor m\theta/\pi \rfloor \) (no
 * gradient through k), other logits \( \|W_j\|\|x\|\cos\theta_j \), all times {@code scale}.
 * \( \cos(m\theta) \) is the Chebyshev polynomial \( T_m(\cos\theta) \): no acos on the gradient
 * path.
 *
 * <p>Annealing (both papers): with lambda the target becomes
 * \( (\lambda\cos\theta_y + \psi(\theta_y)) / (1 + \lambda) \); lambda may follow a {@link
 * Schedule} such as {@link org.metric4j.schedule.PowerDecay#sphereFace()} on a {@link
 * TrainingClock}. Default lambda 0 (PML's {@code LargeMarginSoftmaxLoss}: margin {@value
 * #DEFAULT_MARGIN}, scale {@value #DEFAULT_SCALE}).
 */
public class LargeMarginSoftmaxLoss extends MarginSoftmaxLoss {

    /** Default margin. */
    public static final int DEFAULT_MARGIN = 4;
    /** Default scale. */
    public static final double DEFAULT_SCALE = 1;

    private final int margin;
    private final double scale;
    private final ScheduledParameter lambda;

    LargeMarginSoftmaxLoss(String name, Builder b) {
        super(name);
        this.margin = b.margin;
        this.scale = b.scale;
        this.lambda = b.lambda;
    }

    /** A builder of L-Softmax with PML's defaults. */
    public static Builder builder() {
        return new Builder(false);
    }

    /** The lambda at the clock's current iteration. */
    public double currentLambda() {
        return lambda.value();
    }

    @Override
    protected NDArray targetLogit(NDArray targetCosine, ClassScores scores) {
        NDArray cos = targetCosine.clip(-1.0, 1.0);
        NDArray k = angle(cos).stopGradient().mul(margin / Math.PI).floor();
        NDArray sign = k.sub(k.div(2.0).floor().mul(2.0)).mul(-2.0).add(1.0);
        NDArray psi = sign.mul(chebyshev(cos, margin)).sub(k.mul(2.0));
        double l = currentLambda();
        if (l == 0) {
            return psi;
        }
        return NDMath.div(NDMath.mul(targetCosine, l).add(psi), 1 + l);
    }

    /** \( T_m(c) = \cos(m \arccos c) \) by the recursion \( T_{n+1} = 2cT_n - T_{n-1} \). */
    static NDArray chebyshev(NDArray c, int m) {
        NDArray previous = c.onesLike();
        NDArray current = c;
        if (m == 0) {
            return previous;
        }
        for (int n = 1; n < m; n++) {
            NDArray next = NDMath.mul(c.mul(current), 2.0).sub(previous);
            previous = current;
            current = next;
        }
        return current;
    }

    /** The extra scale of the logits. */
    protected double scaleFactor() {
        return scale;
    }

    @Override
    protected NDArray scale(NDArray logits, ClassScores scores) {
        if (scores.embeddingNorms() == null || scores.weightNorms() == null) {
            throw new IllegalArgumentException(
                    getName() + " needs the embedding and weight norms of the head "
                            + "(a CosineClassifier without sub-centers)");
        }
        return NDMath.mul(logits.mul(scores.embeddingNorms()).mul(scores.weightNorms()), scale);
    }

    @Override
    public String toString() {
        return getName() + "(margin=" + margin + ", scale=" + scale + ", lambda=" + lambda + ")";
    }

    /** Builder of {@link LargeMarginSoftmaxLoss} and {@link SphereFaceLoss}. */
    public static final class Builder {
        private final boolean sphereFace;
        private int margin = DEFAULT_MARGIN;
        private double scale = DEFAULT_SCALE;
        private ScheduledParameter lambda;

        Builder(boolean sphereFace) {
            this.sphereFace = sphereFace;
            this.lambda = lambdaOf(Schedule.constant(0), new TrainingClock());
        }

        /** Integer angular margin m >= 1 (default {@value #DEFAULT_MARGIN}). */
        public Builder optMargin(int margin) {
            if (margin < 1) {
                throw new IllegalArgumentException("margin must be an integer >= 1, got " + margin);
            }
            this.margin = margin;
            return this;
        }

        /** Extra scale of the logits (default {@value #DEFAULT_SCALE}). */
        public Builder optScale(double scale) {
            this.scale = Inputs.positive("scale", scale);
            return this;
        }

        /** A constant annealing lambda >= 0 (default 0: no annealing). */
        public Builder optLambda(double lambda) {
            this.lambda = lambdaOf(Schedule.constant(Inputs.nonNegative("lambda", lambda)), new TrainingClock());
            return this;
        }

        /**
         * An annealing schedule of lambda read at the clock's iteration, finite and {@code >= 0} at
         * every iteration: a value outside that fails the step that reads it.
         */
        public Builder optLambda(Schedule lambda, TrainingClock clock) {
            this.lambda = lambdaOf(lambda, clock);
            return this;
        }

        private ScheduledParameter lambdaOf(Schedule schedule, TrainingClock clock) {
            return ScheduledParameter.of((sphereFace ? "SphereFaceLoss" : "LargeMarginSoftmaxLoss") + " lambda",
                    schedule, clock, l -> l >= 0 && !Double.isInfinite(l), "finite and >= 0");
        }

        /** The loss. */
        public LargeMarginSoftmaxLoss build() {
            return sphereFace
                    ? new SphereFaceLoss(this)
                    : new LargeMarginSoftmaxLoss("LargeMarginSoftmaxLoss", this);
        }
    }
}
