package org.metric4j.head;

/**
 * Bounds on the scale and margin of a normalized margin softmax, from the analysis of CosFace
 * (Wang et al. 2018, arXiv:1801.09414, sec. 3.3-3.4, after NormFace), so that s and m are chosen
 * rather than guessed.
 *
 * <ul>
 *   <li>Scale: for the softmax to reach a posterior of at least P on the class center, with C
 *       classes, \( s \ge \frac{C - 1}{C} \log\frac{(C - 1) P}{1 - P} \).
 *   <li>Cosine margin: C class weights on the unit sphere of dimension D can be at best evenly
 *       spread, which bounds m: \( m \le 1 - \cos(2\pi / C) \) when D = 2; \( m \le C / (C - 1) \)
 *       when \( C \le D + 1 \) (a regular simplex); when \( C > D + 1 \) the bound \( C/(C-1) \)
 *       is loose and the feasible margin is much smaller (the paper writes \( m \ll C/(C-1) \)).
 * </ul>
 */
public final class MarginAdvisor {

    private MarginAdvisor() {}

    /**
     * The advice.
     *
     * @param minScale the lower bound on s
     * @param maxMargin the upper bound on the cosine margin m
     * @param marginBoundTight whether the margin bound is attained (false when C > D + 1)
     * @param explanation the bounds in words
     */
    public record Advice(double minScale, double maxMargin, boolean marginBoundTight, String explanation) {}

    /**
     * Bounds for C classes, D-dimensional embeddings and a target minimum posterior.
     *
     * @param numClasses C >= 2
     * @param embeddingDim D >= 2
     * @param minPosterior P in (1/C, 1): the posterior the class center should at least reach
     * @return the bounds
     */
    public static Advice advise(long numClasses, long embeddingDim, double minPosterior) {
        if (numClasses < 2) {
            throw new IllegalArgumentException("numClasses must be >= 2, got " + numClasses);
        }
        if (embeddingDim < 2) {
            throw new IllegalArgumentException("embeddingDim must be >= 2, got " + embeddingDim);
        }
        double c = numClasses;
        if (!(minPosterior > 1.0 / c && minPosterior < 1)) {
            throw new IllegalArgumentException(
                    "minPosterior must be in (1/C, 1) = (" + (1.0 / c) + ", 1), got " + minPosterior);
        }
        double minScale = (c - 1) / c * Math.log((c - 1) * minPosterior / (1 - minPosterior));
        double maxMargin;
        boolean tight;
        String rule;
        if (embeddingDim == 2) {
            maxMargin = 1 - Math.cos(2 * Math.PI / c);
            tight = true;
            rule = "m <= 1 - cos(2 pi / C) (features on the circle)";
        } else if (numClasses <= embeddingDim + 1) {
            maxMargin = c / (c - 1);
            tight = true;
            rule = "m <= C / (C - 1) (C <= D + 1: the class weights form a regular simplex)";
        } else {
            maxMargin = c / (c - 1);
            tight = false;
            rule = "m << C / (C - 1) (C > D + 1: the bound is loose; the feasible margin is much smaller)";
        }
        String text = String.format(java.util.Locale.ROOT,
                "C=%d, D=%d, P=%.4g: scale s >= %.4f; cosine margin %s = %.4f",
                numClasses, embeddingDim, minPosterior, minScale, rule, maxMargin);
        return new Advice(minScale, maxMargin, tight, text);
    }
}
