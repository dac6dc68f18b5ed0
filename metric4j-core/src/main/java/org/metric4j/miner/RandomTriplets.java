package org.metric4j.miner;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.random.RandomGenerator;

/** Triplets collected on the host by a sampling miner, in the order they are drawn. */
final class RandomTriplets {

    private long[] a = new long[16];
    private long[] p = new long[16];
    private long[] n = new long[16];
    private int size;

    /** The item indices of each label, labels ascending, items ascending. */
    static TreeMap<Long, long[]> byLabel(long[] labels) {
        TreeMap<Long, List<Long>> lists = new TreeMap<>();
        for (int i = 0; i < labels.length; i++) {
            lists.computeIfAbsent(labels[i], l -> new ArrayList<>()).add((long) i);
        }
        TreeMap<Long, long[]> out = new TreeMap<>();
        for (Map.Entry<Long, List<Long>> e : lists.entrySet()) {
            out.put(e.getKey(), e.getValue().stream().mapToLong(Long::longValue).toArray());
        }
        return out;
    }

    /** A member other than {@code anchor}, uniformly (members has at least two entries, one of them anchor). */
    static long otherMember(long[] members, long anchor, RandomGenerator random) {
        int k = random.nextInt(members.length - 1);
        int at = 0;
        while (members[at] != anchor) {
            at++;
        }
        return members[k < at ? k : k + 1];
    }

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
