package org.metric4j.data;

import java.util.List;

/**
 * CPython's {@code random} module for what MXNet's im2rec needs, bit for bit: the MT19937 Mersenne
 * Twister (Matsumoto and Nishimura 1998) seeded as {@code random.seed(n)} seeds it from an int
 * ({@code init_by_array} on the 32-bit words of |n|, Modules/_randommodule.c), {@code
 * getrandbits(k)} for k &lt;= 32 ({@code genrand_uint32() >> (32 - k)}), {@code _randbelow} by
 * rejection and {@code shuffle} (Fisher-Yates from the end, Lib/random.py).
 *
 * <p>Not thread-safe.
 */
public final class PythonRandom {

    private static final int N = 624;
    private static final int M = 397;

    private final int[] mt = new int[N];
    private int mti;

    /** {@code random.seed(seed)} for a non-negative int that fits in 32 bits. */
    public PythonRandom(long seed) {
        if (seed < 0 || seed > 0xffffffffL) {
            throw new IllegalArgumentException("seed must be in [0, 2^32), got " + seed);
        }
        initByArray(new int[] {(int) seed});
    }

    private void initGenrand(int s) {
        mt[0] = s;
        for (mti = 1; mti < N; mti++) {
            mt[mti] = 1812433253 * (mt[mti - 1] ^ (mt[mti - 1] >>> 30)) + mti;
        }
    }

    private void initByArray(int[] key) {
        initGenrand(19650218);
        int i = 1;
        int j = 0;
        for (int k = Math.max(N, key.length); k > 0; k--) {
            mt[i] = (mt[i] ^ ((mt[i - 1] ^ (mt[i - 1] >>> 30)) * 1664525)) + key[j] + j;
            i++;
            j++;
            if (i >= N) {
                mt[0] = mt[N - 1];
                i = 1;
            }
            if (j >= key.length) {
                j = 0;
            }
        }
        for (int k = N - 1; k > 0; k--) {
            mt[i] = (mt[i] ^ ((mt[i - 1] ^ (mt[i - 1] >>> 30)) * 1566083941)) - i;
            i++;
            if (i >= N) {
                mt[0] = mt[N - 1];
                i = 1;
            }
        }
        mt[0] = 0x80000000;
    }

    /** {@code genrand_uint32}: the next 32 random bits. */
    public int nextInt32() {
        if (mti >= N) {
            for (int k = 0; k < N; k++) {
                int y = (mt[k] & 0x80000000) | (mt[(k + 1) % N] & 0x7fffffff);
                mt[k] = mt[(k + M) % N] ^ (y >>> 1) ^ ((y & 1) != 0 ? 0x9908b0df : 0);
            }
            mti = 0;
        }
        int y = mt[mti++];
        y ^= y >>> 11;
        y ^= (y << 7) & 0x9d2c5680;
        y ^= (y << 15) & 0xefc60000;
        y ^= y >>> 18;
        return y;
    }

    /** {@code getrandbits(k)} for 1 &lt;= k &lt;= 32. */
    public long getrandbits(int k) {
        if (k < 1 || k > 32) {
            throw new IllegalArgumentException("k must be in [1, 32], got " + k);
        }
        return Integer.toUnsignedLong(nextInt32()) >>> (32 - k);
    }

    /** {@code _randbelow(n)}: uniform in [0, n) by rejection on {@code n.bit_length()} bits. */
    public int randbelow(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("n must be positive, got " + n);
        }
        int k = 32 - Integer.numberOfLeadingZeros(n);
        long r = getrandbits(k);
        while (r >= n) {
            r = getrandbits(k);
        }
        return (int) r;
    }

    /** {@code random.shuffle(list)}, in place. */
    public <T> void shuffle(List<T> list) {
        for (int i = list.size() - 1; i > 0; i--) {
            int j = randbelow(i + 1);
            T t = list.get(i);
            list.set(i, list.get(j));
            list.set(j, t);
        }
    }
}
