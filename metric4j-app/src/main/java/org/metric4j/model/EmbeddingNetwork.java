package org.metric4j.model;

import ai.djl.ndarray.types.Shape;

/**
 * An imported embedding network as the embedders use it: a batch already preprocessed (see {@link
 * Preprocessing}) in, one raw embedding per item out. Implementations are safe to call from
 * several threads at once.
 */
public interface EmbeddingNetwork extends AutoCloseable {

    /**
     * The raw embeddings of a preprocessed batch.
     *
     * @param input C-order values of {@code shape}
     * @param shape N x 3 x H x W or N x H x W x 3, as the network expects
     * @return N rows of D values
     */
    float[][] forward(float[] input, Shape shape);

    @Override
    void close();
}
