package org.metric4j.distance;

/** What a distance does to the embeddings before comparing them. */
public enum Normalization {
    /** Divide each row by its L2 norm first (PML's {@code normalize_embeddings=True}). */
    L2,
    /** Compare the rows as given. */
    NONE
}
