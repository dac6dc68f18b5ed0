package org.metric4j.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * {@link IjbIdentification} on a case small enough to compute by hand: 4 probes against 3 gallery
 * templates in the plane, angles chosen so that every similarity is a known cosine.
 */
class IjbIdentificationTest {

    private static double[] unit(double... degrees) {
        double[] out = new double[degrees.length * 2];
        for (int i = 0; i < degrees.length; i++) {
            out[2 * i] = Math.cos(Math.toRadians(degrees[i]));
            out[2 * i + 1] = Math.sin(Math.toRadians(degrees[i]));
        }
        return out;
    }

    @Test
    void topKAndTpirByHand() {
        // gallery subjects 10, 20, 30 at 0, 90, 180 degrees
        double[] gallery = unit(0, 90, 180);
        long[] gs = {10, 20, 30};
        // probes: 10 at 5 deg (mate cos5 = 0.996; cos85, cos175): rank 1
        //         20 at 60 deg (mate cos30=0.866; cos60=0.5, cos120=-0.5): rank 1
        //         30 at 80 deg (mate cos100=-0.174; cos10=0.985 to 20, cos80=0.174 to 10): rank 3
        //         10 at 50 deg (mate cos50=0.643; cos40=0.766 to 20, cos130=-0.643): rank 2
        double[] probes = unit(5, 60, 80, 50);
        long[] ps = {10, 20, 30, 10};
        IjbIdentification.Report r = IjbIdentification.evaluate(probes, ps, gallery, gs, 2, new double[] {0.25, 0.5});
        assertEquals(4, r.probes());
        assertEquals(3, r.gallery());
        assertEquals(0.5, r.top1(), 0.0);
        assertEquals(1.0, r.top5(), 0.0);
        assertEquals(1.0, r.top10(), 0.0);
        // 8 non-mate scores; the largest: cos10 = 0.985 (probe 30 to 20), then cos40 = 0.766 (probe 10b to 20)
        // FAR 0.25: ceil(4 * 0.25) = 1st largest = cos10; mates above it: cos5 (10a) -> 1 / 4
        // FAR 0.5: ceil(4 * 0.5) = 2nd largest = cos40 = 0.766; mates above: cos5 (10a), cos30 (20) -> 2 / 4
        assertArrayEquals(new double[] {Math.cos(Math.toRadians(10)), Math.cos(Math.toRadians(40))}, r.thresholds(),
                1e-12);
        assertArrayEquals(new double[] {0.25, 0.5}, r.tpir(), 0.0);
    }

    @Test
    void aProbeWithoutExactlyOneGalleryTemplateIsAnError() {
        double[] gallery = unit(0, 90);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> IjbIdentification.evaluate(
                unit(10), new long[] {7}, gallery, new long[] {1, 2}, 2, IjbIdentification.DEFAULT_FARS));
        assertTrue(e.getMessage().contains("subject 7") && e.getMessage().contains("got 0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> IjbIdentification.evaluate(
                unit(10), new long[] {1}, gallery, new long[] {1, 1}, 2, IjbIdentification.DEFAULT_FARS));
        assertTrue(e.getMessage().contains("got 2"), e.getMessage());
    }
}
