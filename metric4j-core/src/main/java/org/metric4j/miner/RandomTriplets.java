package org.metric4j.miner;

import ai.djl.ndarray.NDArray;

/** Triplets collected on the host by a sampling miner, in the order they are drawn. */
final class RandomTriplets {

    private long[] a = new long[16];
    private long[] p = new long[16];
    private long[] n = new long[16];
    private int size;

    void add(long anchor, long positive, long negative) {
        if (size == a.length) {
            a = java.util.Arrays.copyOf(a, size * 2);
            p = java.util.Arrays.copyOf(p, size * 2);
            n = java.util.Arrays.copyOf(n, size * 2);
        }
        a[size] = anchor;
        p[size] = positive;
        n[size] = negative;
        size++;
    }

    TripletIndices toIndices(NDArray like) {
        return HostIndices.triplets(like, java.util.Arrays.copyOf(a, size), java.util.Arrays.copyOf(p, size),
                java.util.Arrays.copyOf(n, size));
    }
}
