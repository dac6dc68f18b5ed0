package org.metric4j.miner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.metric4j.TestDevice;

/**
 * {@link AngularMiner} against a loop over all triplets in plain Java, on the raw embeddings with
 * torch's {@code pairwise_distance} eps; the raw (not normalized) geometry on a hand-made case;
 * edge cases and bad input.
 */
class AngularMinerTest {

    @ParameterizedTest(name = "angle={0} deg, seed={1}, scale={2}")
    @CsvSource({"20, 1, 1", "20, 2, 1", "35, 3, 1", "10, 4, 30", "0, 5, 0.01"})
    void matchesAllTripletsLoop(double degrees, long seed, double scale) {
        ReferenceBatch base = ReferenceBatch.random(seed, 13, 3, 3);
        double[] x = base.x.clone();
        for (int i = 0; i < x.length; i++) {
            x[i] *= scale;
        }
        double angle = Math.toRadians(degrees);
        List<String> expected = new ArrayList<>();
        for (int a = 0; a < base.b; a++) {
            for (int p = 0; p < base.b; p++) {
                if (!base.positive(a, p)) {
                    continue;
                }
                for (int n = 0; n < base.b; n++) {
                    if (!base.negative(a, n)) {
                        continue;
                    }
                    double ap = 0;
                    double nc = 0;
                    for (int k = 0; k < base.d; k++) {
                        double xa = x[a * base.d + k];
                        double xp = x[p * base.d + k];
                        ap += sq(xa - xp + AngularMiner.PAIRWISE_EPS);
                        nc += sq(x[n * base.d + k] - (xa + xp) / 2 + AngularMiner.PAIRWISE_EPS);
                    }
                    if (Math.atan(Math.sqrt(ap) / (2 * Math.sqrt(nc))) > angle) {
                        expected.add(Arrays.toString(new long[] {a, p, n}));
                    }
                }
            }
        }
        List<String> got = mine(AngularMiner.builder().optAngle(angle).build(), x, base.y, base.d);
        expected.sort(null);
        String what = "angle " + degrees + " seed " + seed + " scale " + scale;
        assertTrue(!expected.isEmpty(), "vacuous case: " + what);
        assertEquals(expected, got, what);
    }

    @Test
    void anglesAreMeasuredOnTheRawEmbeddings() {
        // a=(1,0), p=(3,0), n=(2,1): raw angle atan(2 / 2) = 45 deg; normalized, a and p coincide (0 deg)
        double[] x = {1, 0, 3, 0, 2, 1};
        long[] y = {0, 0, 1};
        assertEquals(List.of("[0, 1, 2]", "[1, 0, 2]"), mine(AngularMiner.builder().build(), x, y, 2));
        assertEquals(List.of(), mine(AngularMiner.builder().optAngle(Math.toRadians(46)).build(), x, y, 2));
        // n=(2,4): atan(2 / 8) = 14 deg, below the default 20
        assertEquals(List.of(), mine(AngularMiner.builder().build(), new double[] {1, 0, 3, 0, 2, 4}, y, 2));
    }

    @Test
    void singleClassOrSingletonsGiveNoTriplet() {
        double[] x = {1, 0, 0, 1, -1, 0, 0, -1};
        assertEquals(List.of(), mine(AngularMiner.builder().build(), x, new long[] {3, 3, 3, 3}, 2));
        assertEquals(List.of(), mine(AngularMiner.builder().build(), x, new long[] {0, 1, 2, 3}, 2));
    }

    @Test
    void angleMustBeRadiansBelowARightAngle() {
        IllegalArgumentException degrees = assertThrows(IllegalArgumentException.class,
                () -> AngularMiner.builder().optAngle(20));
        assertEquals("angle must be in [0, pi/2) radians, got 20.0 (degrees?)", degrees.getMessage());
        IllegalArgumentException negative = assertThrows(IllegalArgumentException.class,
                () -> AngularMiner.builder().optAngle(-0.1));
        assertEquals("angle must be in [0, pi/2) radians, got -0.1", negative.getMessage());
        assertEquals(Math.toRadians(20), AngularMiner.DEFAULT_ANGLE, 1e-15);
    }

    private static double sq(double v) {
        return v * v;
    }

    private static List<String> mine(AngularMiner miner, double[] x, long[] y, int d) {
        try (NDManager m = TestDevice.manager()) {
            long[][] rows = miner.mine(m.create(x, new Shape(y.length, d)).toType(DataType.FLOAT64, false),
                    m.create(y)).toArray();
            List<String> out = new ArrayList<>();
            for (long[] r : rows) {
                out.add(Arrays.toString(r));
            }
            out.sort(null);
            return out;
        }
    }
}
