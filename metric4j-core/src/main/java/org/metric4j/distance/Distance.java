package org.metric4j.distance;

import ai.djl.ndarray.NDArray;

/**
 * A distance or similarity between embeddings, computed as a matrix.
 *
 * <p>The distance knows its direction (pytorch-metric-learning's {@code is_inverted}): for a
 * distance a smaller value means closer, for a similarity a larger value does. {@link
 * #margin(NDArray, NDArray)} measures by how much {@code x} is farther than {@code y}, so one
 * formula serves L2 distances and cosine similarities.
 */
public interface Distance {

    /**
     * The B x M matrix between the rows of {@code query} (B x D) and {@code reference} (M x D),
     * after the optional normalization of both.
     */
    NDArray matrix(NDArray query, NDArray reference);

    /** The B x B matrix of a batch against itself. */
    default NDArray matrix(NDArray embeddings) {
        return matrix(embeddings, embeddings);
    }

    /** Whether larger values mean closer (a similarity). */
    boolean isInverted();

    /** Whether the embeddings are L2-normalized before the matrix is computed. */
    boolean normalizesEmbeddings();

    /** The rows L2-normalized (torch's {@code F.normalize}, eps 1e-12). */
    default NDArray normalize(NDArray x) {
        return x.normalize(2, 1, 1e-12);
    }

    /** The rows normalized when {@link #normalizesEmbeddings()} says so. */
    default NDArray maybeNormalize(NDArray x) {
        return normalizesEmbeddings() ? normalize(x) : x;
    }

    /** How much farther {@code x} is than {@code y}: {@code x - y} for a distance, {@code y - x} for a similarity. */
    default NDArray margin(NDArray x, NDArray y) {
        return isInverted() ? y.sub(x) : x.sub(y);
    }

    /** {@link #margin(NDArray, NDArray)} with a constant {@code y}. */
    default NDArray margin(NDArray x, double y) {
        return isInverted() ? x.neg().add(y) : x.sub(y);
    }

    /** {@link #margin(NDArray, NDArray)} with a constant {@code x}. */
    default NDArray margin(double x, NDArray y) {
        return isInverted() ? y.sub(x) : y.neg().add(x);
    }
}
