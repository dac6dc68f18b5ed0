package org.metric4j.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import java.util.Random;
import org.metric4j.distance.CosineSimilarity;
import org.metric4j.math.Inputs;
import org.metric4j.math.NDMath;
import org.metric4j.math.Seeds;
import org.metric4j.schedule.TrainingClock;

/**
 * Manifold loss (Aziere and Todorovic 2019, "Ensemble Deep Manifold Similarity Learning using
 * Hard Proxies", CVPR), as pytorch-metric-learning's {@code ManifoldLoss}: the B embeddings and K
 * learnable proxies form a graph Z = [embeddings; proxies] with affinities
 * \( S = e^{\max(0, \cos(Z, Z)) / 0.5} \) (zero diagonal), \( \bar S = D^{-1/2} S D^{-1/2} \)
 * (D the row sums), and the random-walk similarity \( F = (1 - \alpha)(I - \alpha \bar S)^{-1} \).
 * Each embedding i has a meta class \( m_i \in [0, K) \). With
 * \( v_{ik} = F_{i, B+k} - F_{i, B+m_i} + \mu \) the intrinsic loss is the mean over i of
 * \( \log(1 + \sum_{k \ne m_i, v_{ik} \ge 0} e^{v_{ik}}) \); the context loss is the same
 * construction on \( c_{ik} = \cos(F_{i,:}, F_{B+k,:}) \); \( L = L_{int} + \lambda_C L_{ctx} \).
 * The class labels are not used.
 *
 * <p>As a {@link ProxyLoss}, {@link #evaluate} takes predictions [B x D embeddings, K x D proxies]:
 * in training a {@link org.metric4j.head.ClassCenters} block of K rows holds the proxies (K
 * proxies, not classes), and the labels are ignored. The meta classes are given to {@link
 * #computeWithMetaClasses} (PML's {@code indices_tuple}) or drawn as PML draws them: every proxy once plus B - K uniform ones, permuted
 * (B must be {@code >= K}), from a generator seeded by {@link Builder#optSeed}; with {@link
 * Builder#optClock a training clock} from (seed, clock iteration), so that the two evaluations a
 * DJL {@code Trainer} makes in one step agree and a resumed run draws what the uninterrupted one
 * drew. The inverse is taken in the embeddings' dtype (PML casts to float32; the difference is
 * about 1e-10). A reference set (PML's {@code ref_emb}) is rejected, as in PML.
 *
 * <p>Defaults (PML's): K = {@value #DEFAULT_PROXIES}, \( \lambda_C \) = {@value
 * #DEFAULT_LAMBDA_C}, \( \alpha \) = {@value #DEFAULT_ALPHA}, margin \( \mu \) = {@value
 * #DEFAULT_MARGIN}; \( \lambda_C = \infty \) gives the context loss alone (PML returns inf).
 */
public final class ManifoldLoss extends ProxyLoss {

    /** Default number of proxies K. */
    public static final int DEFAULT_PROXIES = 50;
    /** Default weight of the context loss. */
    public static final double DEFAULT_LAMBDA_C = 1.0;
    /** Default random-walk parameter alpha. */
    public static final double DEFAULT_ALPHA = 0.8;
    /** Default margin. */
    public static final double DEFAULT_MARGIN = 5e-4;
    /** Default seed of the meta-class draws. */
    public static final long DEFAULT_SEED = 0;

    private static final double TEMPERATURE = 0.5;

    private final int numProxies;
    private final double lambdaC;
    private final double alpha;
    private final double margin;
    private final long seed;
    private final TrainingClock clock;
    private final Random random;

    private ManifoldLoss(Builder b) {
        super("ManifoldLoss");
        this.numProxies = b.numProxies;
        this.lambdaC = b.lambdaC;
        this.alpha = b.alpha;
        this.margin = b.margin;
        this.seed = b.seed;
        this.clock = b.clock;
        this.random = new Random(b.seed);
    }

    /** A builder with PML's defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** The number of proxies K (rows of the proxies array). */
    public int numProxies() {
        return numProxies;
    }

    /**
     * The loss of predictions [B x D embeddings, K x D proxies] with drawn meta classes; the labels
     * are not used. A third array (a reference set, PML's {@code ref_emb}) is an
     * IllegalArgumentException, as in PML.
     */
    @Override
    public NDArray evaluate(NDList labels, NDList predictions) {
        if (predictions == null || predictions.size() < 2) {
            throw new IllegalArgumentException(getName()
                    + ": predictions must hold [B x D embeddings, K x D proxies], got "
                    + (predictions == null ? "none" : predictions.size() + " array(s)"));
        }
        if (predictions.size() > 2) {
            throw referenceSet();
        }
        return compute(predictions.get(0), predictions.get(1));
    }

    /**
     * The loss with meta classes drawn (see the class comment).
     *
     * @param embeddings B x D, B {@code >= K}
     * @param proxies K x D, same dtype
     * @return the loss, a scalar of the embeddings' dtype
     */
    public NDArray compute(NDArray embeddings, NDArray proxies) {
        long b = Inputs.embeddings("embeddings", embeddings);
        long[] meta = drawMetaClasses((int) b);
        NDArray m = embeddings.getManager().create(meta).toDevice(embeddings.getDevice(), false);
        return computeWithMetaClasses(embeddings, proxies, m);
    }

    /**
     * The loss with meta classes drawn; the labels are not used (PML's {@code
     * labels_not_supported}: the meta classes, not the classes, pick each embedding's proxy).
     *
     * @param embeddings B x D, B {@code >= K}
     * @param proxies K x D, same dtype
     * @param labels ignored (may be null)
     * @return the loss, a scalar of the embeddings' dtype
     */
    @Override
    public NDArray compute(NDArray embeddings, NDArray proxies, NDArray labels) {
        return compute(embeddings, proxies);
    }

    private IllegalArgumentException referenceSet() {
        return new IllegalArgumentException(getName() + " does not support a reference set (PML's ref_emb):"
                + " it compares the batch's embeddings with its proxies only; pass [embeddings, proxies]");
    }

    /**
     * The loss with explicit meta classes (PML's {@code indices_tuple}).
     *
     * @param embeddings B x D, float32 or float64
     * @param proxies K x D, same dtype
     * @param metaClasses B integer ids in [0, K)
     * @return the loss, a scalar of the embeddings' dtype
     */
    public NDArray computeWithMetaClasses(NDArray embeddings, NDArray proxies, NDArray metaClasses) {
        long b = Inputs.embeddings("embeddings", embeddings);
        Inputs.embeddings("proxies", proxies);
        Inputs.sameWidth("embeddings", embeddings, "proxies", proxies);
        if (proxies.getDataType() != embeddings.getDataType()) {
            throw new IllegalArgumentException("proxies must have the embeddings' dtype ("
                    + embeddings.getDataType() + "), got " + proxies.getDataType());
        }
        long k = proxies.getShape().get(0);
        if (k != numProxies) {
            throw new IllegalArgumentException("proxies must have K = " + numProxies + " rows, got " + k);
        }
        NDArray m = Inputs.classLabels("metaClasses", metaClasses, b, k);
        NDArray z = NDArrays.concat(new NDList(embeddings, proxies), 0);
        long n = b + k;
        NDArray s = NDMath.div(CosineSimilarity.create().matrix(z).clip(0, Double.POSITIVE_INFINITY), TEMPERATURE)
                .exp();
        NDArray eye = z.getManager().eye((int) n).toType(z.getDataType(), false).toDevice(z.getDevice(), false);
        s = s.sub(s.mul(eye));
        NDArray dInvHalf = NDMath.pow(s.sum(new int[] {1}), -0.5);
        NDArray sBar = dInvHalf.reshape(-1, 1).mul(s).mul(dInvHalf.reshape(1, -1));
        NDArray f = NDMath.mul(eye.sub(NDMath.mul(sBar, alpha)).inverse(), 1 - alpha);
        NDArray fEmb = f.get(new NDIndex("0:{}, :", b));
        NDArray fProxies = f.get(new NDIndex("{}:, :", b));
        NDArray own = ProxyLoss.classMask(m, k);
        NDArray ctx = hingeTerms(CosineSimilarity.create().matrix(fEmb, fProxies), own, b);
        if (Double.isInfinite(lambdaC)) {
            return NDMath.scalar(ctx);
        }
        NDArray intrinsic = hingeTerms(fEmb.get(new NDIndex(":, {}:", b)), own, b);
        return NDMath.scalar(intrinsic.add(NDMath.mul(ctx, lambdaC)));
    }

    /**
     * The mean over rows of \( \log(1 + \sum e^{v_k}) \) over \( k \ne m_i \) with \( v_k \ge 0 \),
     * \( v_k = x_{ik} - x_{i m_i} + \mu \), as a 1-element array.
     */
    private NDArray hingeTerms(NDArray x, NDArray own, long b) {
        NDArray ownValue = x.mul(NDMath.asFloat(own, x)).sum(new int[] {1}, true);
        NDArray v = x.sub(ownValue).add(NDMath.constant(x, margin));
        NDArray keep = own.logicalNot().logicalAnd(v.gte(0));
        NDArray rows = NDMath.logOnePlusSumExp(v, keep, 1);
        return NDMath.div(NDMath.total(rows), b);
    }

    /**
     * Meta classes as PML draws them: 0..K-1 once, then B - K uniform in [0, K), the whole
     * permuted.
     *
     * @param batch B, {@code >= K}
     * @return B ids in [0, K)
     */
    long[] drawMetaClasses(int batch) {
        if (batch < numProxies) {
            throw new IllegalArgumentException("the batch size must be >= K = " + numProxies
                    + " for drawn meta classes (every proxy gets one embedding), got " + batch);
        }
        Random r = clock == null ? random : new Random(Seeds.mix(seed, clock.iteration(), 0x3A11F0L));
        long[] meta = new long[batch];
        for (int i = 0; i < batch; i++) {
            meta[i] = i < numProxies ? i : r.nextInt(numProxies);
        }
        for (int i = batch - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            long t = meta[i];
            meta[i] = meta[j];
            meta[j] = t;
        }
        return meta;
    }

    @Override
    public String toString() {
        return "ManifoldLoss(K=" + numProxies + ", lambdaC=" + lambdaC + ", alpha=" + alpha + ", margin=" + margin
                + ", seed=" + seed + (clock == null ? "" : ", per clock iteration") + ")";
    }

    /** Builder of {@link ManifoldLoss}. */
    public static final class Builder {
        private int numProxies = DEFAULT_PROXIES;
        private double lambdaC = DEFAULT_LAMBDA_C;
        private double alpha = DEFAULT_ALPHA;
        private double margin = DEFAULT_MARGIN;
        private long seed = DEFAULT_SEED;
        private TrainingClock clock;

        private Builder() {}

        /** The number of proxies K, {@code >= 1} (default {@value #DEFAULT_PROXIES}). */
        public Builder optNumProxies(int numProxies) {
            Inputs.atLeast("numProxies (K)", numProxies, 1);
            this.numProxies = numProxies;
            return this;
        }

        /**
         * The weight of the context loss, {@code >= 0}; positive infinity for the context loss alone
         * (default {@value #DEFAULT_LAMBDA_C}).
         */
        public Builder optLambdaC(double lambdaC) {
            if (!(lambdaC >= 0)) {
                throw new IllegalArgumentException("lambdaC must be >= 0 (or +infinity), got " + lambdaC);
            }
            this.lambdaC = lambdaC;
            return this;
        }

        /** The random-walk parameter alpha, in (0, 1) (default {@value #DEFAULT_ALPHA}). */
        public Builder optAlpha(double alpha) {
            if (!(alpha > 0 && alpha < 1)) {
                throw new IllegalArgumentException("alpha must be in (0, 1), got " + alpha);
            }
            this.alpha = alpha;
            return this;
        }

        /** The margin, finite (default {@value #DEFAULT_MARGIN}). */
        public Builder optMargin(double margin) {
            this.margin = Inputs.finite("margin", margin);
            return this;
        }

        /** The seed of the meta-class draws (default {@value #DEFAULT_SEED}). */
        public Builder optSeed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * Draws each step's meta classes from (seed, {@code clock.iteration()}) rather than from
         * one generator seeded once (default none).
         */
        public Builder optClock(TrainingClock clock) {
            this.clock = clock;
            return this;
        }

        /** The loss. */
        public ManifoldLoss build() {
            return new ManifoldLoss(this);
        }
    }
}
