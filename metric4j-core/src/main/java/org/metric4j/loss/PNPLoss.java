package org.metric4j.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;
import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;
import org.metric4j.distance.CosineSimilarity;
import org.metric4j.distance.PairMasks;
import org.metric4j.math.Inputs;
import org.metric4j.math.NDMath;
import org.metric4j.reducer.LossTerms;
import org.metric4j.reducer.MeanReducer;
import org.metric4j.reducer.Reducer;

/**
 * Rethinking the optimization of average precision, PNP loss (Li et al. 2022, arXiv:2102.04640;
 * PML's {@code PNPLoss}). With the cosine similarity matrix S, query q and item i, the smoothed
 * number of negatives ranked above i is
 * \( R(q, i) = \sum_{n: y_n \ne y_q} \sigma((S_{qn} - S_{qi}) / \tau) \), the sigmoid's argument
 * clamped to [-50, 50] as in PML; the loss is
 * \( \frac{1}{B} \sum_q \frac{1}{|P_q|} \sum_{i \in P_q} f(R(q, i)) \) for the {@link Variant}'s
 * transform f (for {@link Variant#DQ}: one minus that mean), already reduced.
 *
 * <p>As in PML, the positives \( P_q \) of a query include the query itself, so every query
 * counts (a query alone in its class still has \( P_q = \{q\} \)). A single-class batch has no
 * negatives: R = 0 and the loss is 0.
 *
 * <p>Defaults (PML's): variant {@link Variant#O}, b {@value #DEFAULT_B}, alpha {@value
 * #DEFAULT_ALPHA}, anneal (temperature tau) {@value #DEFAULT_ANNEAL}, cosine similarity. No miner
 * and no reducer (PML does not support them). Memory: B x B x B.
 */
public final class PNPLoss extends MetricLoss {

    /** Default b of {@link Variant#IB}. */
    public static final double DEFAULT_B = 2;
    /** Default alpha of {@link Variant#DQ}. */
    public static final double DEFAULT_ALPHA = 1;
    /** Default sigmoid temperature. */
    public static final double DEFAULT_ANNEAL = 0.01;
    /** Bound of the sigmoid's argument (PML's clamp). */
    static final double CLAMP = 50;
    /** PML's already-reduced mean over the queries. */
    private static final Reducer MEAN = new MeanReducer();

    /** The transform f of the smoothed rank R, PML's variant names. */
    public enum Variant {
        /** PNP-D_s: \( \log(1 + R) \). */
        DS("Ds"),
        /** PNP-D_q: \( 1 / (1 + R)^\alpha \), the loss being one minus its mean. */
        DQ("Dq"),
        /** PNP-I_u: \( (1 + R) \log(1 + R) \). */
        IU("Iu"),
        /** PNP-I_b: \( (b R - \log(1 + b R)) / b^2 \). */
        IB("Ib"),
        /** PNP-O: R itself. */
        O("O");

        private final String pmlName;

        Variant(String pmlName) {
            this.pmlName = pmlName;
        }

        /** PML's name of the variant ("Ds", "Dq", "Iu", "Ib", "O"). */
        public String pmlName() {
            return pmlName;
        }

        /**
         * The variant of a PML name ("Ds", "Dq", "Iu", "Ib", "O"; the enum constant names are
         * accepted too, in any case).
         */
        public static Variant of(String name) {
            if (name != null) {
                for (Variant v : values()) {
                    if (v.pmlName.equals(name) || v.name().equals(name.toUpperCase(Locale.ROOT))) {
                        return v;
                    }
                }
            }
            throw new IllegalArgumentException("variant must be one of " + Arrays.toString(
                    Arrays.stream(values()).map(Variant::pmlName).toArray()) + ", got " + name);
        }
    }

    private final Variant variant;
    private final double b;
    private final double alpha;
    private final double anneal;
    private final CosineSimilarity distance = CosineSimilarity.create();

    private PNPLoss(Builder builder) {
        super("PNPLoss");
        this.variant = builder.variant;
        this.b = builder.b;
        this.alpha = builder.alpha;
        this.anneal = builder.anneal;
    }

    /** A builder with PML's defaults. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public NDArray compute(NDArray embeddings, NDArray labels) {
        long n = Inputs.embeddings("embeddings", embeddings);
        NDArray y = Inputs.labels("labels", labels, n);
        PairMasks masks = PairMasks.of(y);
        NDArray sim = distance.matrix(embeddings);
        // diff[q, i, j] = S[q, j] - S[q, i]; the sum over negatives j of q gives R(q, i)
        NDArray diff = sim.reshape(n, 1, n).sub(sim.reshape(n, n, 1));
        NDArray arg = NDMath.maximum(NDMath.minimum(NDMath.div(diff, anneal), CLAMP), -CLAMP);
        NDArray neg = NDMath.asFloat(masks.negative(), sim).reshape(n, 1, n);
        NDArray rank = Activation.sigmoid(arg).mul(neg).sum(new int[] {2});
        NDArray f = transform(rank);
        // positives including the query itself (PML's I_pos[q, q] = 1)
        NDArray pos = NDMath.asFloat(masks.positive().logicalOr(PairMasks.eye(y.getManager(), n)), sim);
        NDArray perQuery = f.mul(pos).sum(new int[] {1}).div(pos.sum(new int[] {1}));
        NDArray mean = reduce(MEAN, LossTerms.of(perQuery));
        return variant == Variant.DQ ? NDMath.constant(mean, 1.0).sub(mean) : mean;
    }

    private NDArray transform(NDArray r) {
        NDArray one = NDMath.constant(r, 1.0);
        switch (variant) {
            case DS:
                return r.add(one).log();
            case DQ:
                return NDMath.pow(r.add(one), -alpha);
            case IU:
                return r.add(one).mul(r.add(one).log());
            case IB:
                NDArray br = NDMath.mul(r, b);
                return NDMath.div(br.sub(br.add(one).log()), b * b);
            case O:
                return r;
            default:
                throw new IllegalStateException("unknown variant " + variant);
        }
    }

    @Override
    public String toString() {
        return "PNPLoss(variant=" + variant.pmlName() + ", b=" + b + ", alpha=" + alpha + ", anneal="
                + anneal + ")";
    }

    /** Builder of {@link PNPLoss}. */
    public static final class Builder {
        private Variant variant = Variant.O;
        private double b = DEFAULT_B;
        private double alpha = DEFAULT_ALPHA;
        private double anneal = DEFAULT_ANNEAL;

        private Builder() {}

        /** The transform of the smoothed rank (default {@link Variant#O}). */
        public Builder optVariant(Variant variant) {
            this.variant = Objects.requireNonNull(variant, "variant");
            return this;
        }

        /** The transform by PML's name: "Ds", "Dq", "Iu", "Ib" or "O" (see {@link Variant#of}). */
        public Builder optVariant(String variant) {
            this.variant = Variant.of(variant);
            return this;
        }

        /** The b of {@link Variant#IB}, {@code > 0} (default {@value #DEFAULT_B}). */
        public Builder optB(double b) {
            this.b = Inputs.positive("b", b);
            return this;
        }

        /** The exponent alpha of {@link Variant#DQ}, {@code > 0} (default {@value #DEFAULT_ALPHA}). */
        public Builder optAlpha(double alpha) {
            this.alpha = Inputs.positive("alpha", alpha);
            return this;
        }

        /** The sigmoid temperature tau, {@code > 0} (default {@value #DEFAULT_ANNEAL}). */
        public Builder optAnneal(double anneal) {
            this.anneal = Inputs.positive("anneal", anneal);
            return this;
        }

        /** The loss. */
        public PNPLoss build() {
            return new PNPLoss(this);
        }
    }
}
