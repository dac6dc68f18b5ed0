package org.metric4j.miner;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

/**
 * Mined triplets (anchor, positive, negative) as three INT64 index arrays of equal length,
 * ordered by anchor, then positive, then negative.
 */
public final class TripletIndices {

    private final NDArray anchors;
    private final NDArray positives;
    private final NDArray negatives;

    /** Triplets from three INT64 arrays of equal length. */
    public TripletIndices(NDArray anchors, NDArray positives, NDArray negatives) {
        long n = anchors.size();
        if (positives.size() != n || negatives.size() != n) {
            throw new IllegalArgumentException(
                    "anchors, positives and negatives must have equal length, got " + n + ", "
                            + positives.size() + ", " + negatives.size());
        }
        this.anchors = anchors.toType(DataType.INT64, false);
        this.positives = positives.toType(DataType.INT64, false);
        this.negatives = negatives.toType(DataType.INT64, false);
    }

    /** Anchor indices. */
    public NDArray anchors() {
        return anchors;
    }

    /** Positive indices (into the reference set). */
    public NDArray positives() {
        return positives;
    }

    /** Negative indices (into the reference set). */
    public NDArray negatives() {
        return negatives;
    }

    /** Number of triplets. */
    public long size() {
        return anchors.size();
    }

    /** The triplets as rows {@code {a, p, n}}. */
    public long[][] toArray() {
        long[] a = anchors.toLongArray();
        long[] p = positives.toLongArray();
        long[] n = negatives.toLongArray();
        long[][] out = new long[a.length][];
        for (int i = 0; i < a.length; i++) {
            out[i] = new long[] {a[i], p[i], n[i]};
        }
        return out;
    }
}
