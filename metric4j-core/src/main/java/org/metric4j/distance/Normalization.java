package org.metric4j.distance;

/** What a distance does to the embeddings before comparing them. */
public enum Normalization {
    /**
     * Divide each row by its norm first (PML's {@code normalize_embeddings=True}): the L2 norm, or
     * for an {@link LpDistance} its own Lp norm, as in PML.
     */
    L2,
    /** Compare the rows as given. */
    NONE
}
