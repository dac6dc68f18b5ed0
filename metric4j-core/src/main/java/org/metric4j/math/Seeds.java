package org.metric4j.math;

/** Seed mixing (the SplitMix64 finalizer), so that a random stream depends only on its key. */
public final class Seeds {

    private Seeds() {}

    /** A well-mixed 64-bit value of the ordered parts. */
    public static long mix(long... parts) {
        long h = 0x9E3779B97F4A7C15L;
        for (long p : parts) {
            h = finalize(h ^ finalize(p + 0x9E3779B97F4A7C15L));
            h += 0x9E3779B97F4A7C15L;
        }
        return finalize(h);
    }

    private static long finalize(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
