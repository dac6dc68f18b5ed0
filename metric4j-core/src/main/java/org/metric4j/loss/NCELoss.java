package org.metric4j.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.training.loss.Loss;
import org.metric4j.math.Inputs;
import org.metric4j.math.NDMath;

/**
 * Binary noise-contrastive estimation (Gutmann and Hyvarinen 2010; as in Wu et al. 2018,
 * arXiv:1805.01978): logistic regression of data against k noise samples. With the score
 * \( G(x) = s(q, x)/\tau - \log(k\, q_n) \), s the cosine similarity and \( q_n \) the noise
 * probability of a key,
 * \( L = \frac{1}{B}\sum_b [-\log\sigma(G(k^+_b)) - \sum_{j=1}^{k} \log(1 - \sigma(G(k^-_j)))] \),
 * computed as softplus terms.
 *
 * <p>{@link #evaluate} takes {@code predictions = [query, positiveKeys, noiseKeys]}. Defaults:
 * temperature {@value #DEFAULT_TEMPERATURE}; noise probability required (uniform noise over N
 * items is 1/N); k defaults to the number of noise keys.
 */
public final class NCELoss extends Loss {

    /** Default temperature. */
    public static final double DEFAULT_TEMPERATURE = 0.07;

    private final double temperature;
    private final double noiseProbability;
    private final int numNoise;

    private NCELoss(Builder b) {
        super("NCELoss");
        this.temperature = b.temperature;
        this.noiseProbability = b.noiseProbability;
        this.numNoise = b.numNoise;
    }

    /** A builder. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public NDArray evaluate(NDList labels, NDList predictions) {
        return compute(
                ExplicitInputs.get(getName(), predictions, 0, "the queries"),
                ExplicitInputs.get(getName(), predictions, 1, "the positive keys"),
                ExplicitInputs.get(getName(), predictions, 2, "the noise keys"));
    }

    /**
     * The loss.
     *
     * @param query B x D
     * @param positiveKeys B x D
     * @param noiseKeys k x D noise samples shared by every query
     * @return the mean loss
     */
    public NDArray compute(NDArray query, NDArray positiveKeys, NDArray noiseKeys) {
        Inputs.embeddings("query", query);
        Inputs.embeddings("positiveKeys", positiveKeys);
        long k = Inputs.embeddings("noiseKeys", noiseKeys);
        Inputs.sameShape("query", query, "positiveKeys", positiveKeys);
        Inputs.sameWidth("query", query, "noiseKeys", noiseKeys);
        long kk = numNoise > 0 ? numNoise : k;
        double shift = Math.log(kk * noiseProbability);
        NDArray q = query.normalize(2, 1, 1e-12);
        NDArray pos = NDMath.div(q.mul(positiveKeys.normalize(2, 1, 1e-12)).sum(new int[] {1}),
                temperature).sub(shift);
        NDArray neg = NDMath.div(q.matMul(noiseKeys.normalize(2, 1, 1e-12).transpose()),
                temperature).sub(shift);
        NDArray perQuery = NDMath.softplus(pos.neg()).add(NDMath.softplus(neg).sum(new int[] {1}));
        return perQuery.mean();
    }

    @Override
    public String toString() {
        return "NCELoss(temperature=" + temperature + ", noiseProbability=" + noiseProbability
                + ", numNoise=" + (numNoise > 0 ? numNoise : "rows of noiseKeys") + ")";
    }

    /** Builder of {@link NCELoss}. */
    public static final class Builder {
        private double temperature = DEFAULT_TEMPERATURE;
        private double noiseProbability = Double.NaN;
        private int numNoise;

        /** Temperature (default {@value #DEFAULT_TEMPERATURE}). */
        public Builder optTemperature(double temperature) {
            this.temperature = Inputs.positive("temperature", temperature);
            return this;
        }

        /** Noise probability of a key, in (0, 1] (required; 1/N for uniform noise over N items). */
        public Builder setNoiseProbability(double noiseProbability) {
            if (!(noiseProbability > 0 && noiseProbability <= 1)) {
                throw new IllegalArgumentException(
                        "noiseProbability must be in (0, 1], got " + noiseProbability);
            }
            this.noiseProbability = noiseProbability;
            return this;
        }

        /** k in log(k q_n) (default: the number of noise keys given). */
        public Builder optNumNoise(int numNoise) {
            Inputs.atLeast("numNoise", numNoise, 1);
            this.numNoise = numNoise;
            return this;
        }

        /** The loss. */
        public NCELoss build() {
            if (Double.isNaN(noiseProbability)) {
                throw new IllegalArgumentException(
                        "noiseProbability must be set (1/N for uniform noise over N items)");
            }
            return new NCELoss(this);
        }
    }
}
