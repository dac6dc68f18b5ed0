package org.metric4j.head;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import org.metric4j.math.NDMath;

/**
 * What a cosine classifier hands to a margin loss: the B x C cosines between embeddings and
 * class weights, and the norms that the un-normalized margin losses (L-Softmax, SphereFace)
 * scale by.
 *
 * @param cosine B x C cosines \( \cos\theta_{ij} \)
 * @param embeddingNorms B x 1 norms \( \|x_i\| \)
 * @param weightNorms 1 x C norms \( \|W_j\| \) (null for sub-center heads)
 */
public record ClassScores(NDArray cosine, NDArray embeddingNorms, NDArray weightNorms) {

    /** The scores as the NDList a DJL Block returns: [cosine, embedding norms, weight norms]. */
    public NDList toList() {
        NDList list = new NDList(cosine, embeddingNorms);
        if (weightNorms != null) {
            list.add(weightNorms);
        }
        return list;
    }

    /** Scores from a head's output list (at least the cosines). */
    public static ClassScores fromList(NDList list) {
        if (list == null || list.isEmpty()) {
            throw new IllegalArgumentException(
                    "predictions must hold the head's output [cosine, embedding norms, weight norms], got none");
        }
        return new ClassScores(list.get(0), list.size() > 1 ? list.get(1) : null,
                list.size() > 2 ? list.get(2) : null);
    }

    /**
     * The scores of embeddings x (B x D) against class weights w (D x C, one column per class as
     * in pytorch-metric-learning). With {@code subCenters} k > 1 the weights are D x (C k), column
     * {@code c*k + j} being sub-center j of class c, and a class's cosine is the largest of its
     * sub-centers' (Deng et al. 2020, sub-center ArcFace).
     *
     * <p>The cosines are computed as \( \hat{x}_i^T W_j / \max(\|W_j\|, 10^{-12}) \): scaling
     * the B x C products by the inverse column norms allocates less than normalizing the D x C
     * weights (and their backward), and gives the same values and gradients up to rounding. The
     * squared norms are taken as \( 2 t - \mathrm{sg}(t) \) with \( t_j = \sum_d W_{dj}
     * \mathrm{sg}(W_{dj}) \) (sg: stop-gradient): the value \( \|W_j\|^2 \), the gradient
     * \( 2 W_j \), and a backward of one D x C product where a norm's backward takes three
     * passes over the weights (issue #17). A column of zeros reports the norm 10^-12.
     */
    public static ClassScores of(NDArray x, NDArray w, int subCenters) {
        NDArray xn = x.normalize(2, 1, 1e-12);
        NDArray t = w.mul(w.stopGradient()).sum(new int[] {0}, true);
        NDArray squared = NDMath.mul(t, 2).sub(t.stopGradient());
        NDArray wNorm = NDMath.maximum(squared, 1e-24).sqrt();
        // (x^ W) * (1 / max(|W_j|, eps)): the cosines of x^ (W / max(|W_j|, eps)) without a
        // normalized D x C copy of W and its backward (fewer large temporaries, issue #3)
        NDArray cos = xn.matMul(w).mul(NDMath.pow(wNorm, -1));
        NDArray xNorm = x.norm(new int[] {1}, true);
        if (subCenters > 1) {
            long b = cos.getShape().get(0);
            long c = cos.getShape().get(1) / subCenters;
            return new ClassScores(cos.reshape(b, c, subCenters).max(new int[] {2}), xNorm, null);
        }
        return new ClassScores(cos, xNorm, wNorm);
    }
}
