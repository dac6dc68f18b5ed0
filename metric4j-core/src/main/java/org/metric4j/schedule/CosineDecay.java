package org.metric4j.schedule;

/**
 * Cosine annealing (Loshchilov and Hutter 2017, arXiv:1608.03983, without restarts):
 * \( min + \frac{1}{2}(base - min)(1 + \cos(\pi\, t / T)) \) for {@code t < T}, then min.
 */
public record CosineDecay(double base, double min, long total) implements Schedule {

    /** Validates the parameters. */
    public CosineDecay {
        if (!(base >= 0) || !(min >= 0) || total < 1) {
            throw new IllegalArgumentException(
                    "base and min must be >= 0 and total >= 1, got " + base + ", " + min + ", " + total);
        }
    }

    @Override
    public double valueAt(long iteration) {
        if (iteration >= total) {
            return min;
        }
        return min + 0.5 * (base - min) * (1 + Math.cos(Math.PI * Math.max(0, iteration) / total));
    }
}
