package org.metric4j.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.training.tracker.Tracker;
import org.junit.jupiter.api.Test;

/** Schedules as functions of the iteration, against hand-computed values. */
class SchedulesTest {

    @Test
    void sphereFaceLambdaDecaysToItsFloor() {
        PowerDecay p = PowerDecay.sphereFace();
        assertEquals(1000, p.valueAt(0), 1e-12);
        assertEquals(1000 / (1 + 0.12 * 100), p.valueAt(100), 1e-9);
        assertEquals(5, p.valueAt(1_000_000), 1e-12);
    }

    @Test
    void stepAndMarginWarmup() {
        StepDecay s = new StepDecay(0.1, 0.1, new long[] {10, 20});
        assertEquals(0.1, s.valueAt(9), 1e-15);
        assertEquals(0.01, s.valueAt(10), 1e-15);
        assertEquals(0.001, s.valueAt(25), 1e-15);
        LinearWarmup m = new LinearWarmup(0, 0.35, 100);
        assertEquals(0.175, m.valueAt(50), 1e-12);
        assertEquals(0.35, m.valueAt(1000), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> new StepDecay(0.1, 0.1, new long[] {5, 5}));
    }

    @Test
    void djlTrackersAndSchedulesConvertBothWays() {
        Schedule cosine = Schedule.of(Tracker.cosine().setBaseValue(1f).optFinalValue(0f).setMaxUpdates(100).build(),
                "cosine");
        assertEquals(1, cosine.valueAt(0), 1e-7);
        assertEquals(0.5, cosine.valueAt(50), 1e-6);
        assertEquals(0, cosine.valueAt(100), 1e-7);
        assertEquals(0, cosine.valueAt(5_000_000_000L), 1e-7, "iterations beyond int range read the last one");
        assertEquals("cosine", cosine.toString());
        StepDecay s = new StepDecay(0.1, 0.1, new long[] {10, 20});
        Tracker t = s.asTracker();
        assertEquals(0.1f, t.getNewValue(9));
        assertEquals(0.01f, t.getNewValue(10), 1e-9f);
        assertEquals(0.01f, t.getNewValue("any parameter", 15), 1e-9f);
        assertEquals(0.1f, t.getNewValue(9), "a schedule reads any iteration again, in any order");
    }

    @Test
    void clockDrivesAScheduledMargin() {
        TrainingClock clock = new TrainingClock();
        org.metric4j.loss.CosFaceLoss loss = org.metric4j.loss.CosFaceLoss.builder()
                .optMargin(new LinearWarmup(0, 0.4, 4), clock).build();
        assertEquals(0, loss.currentMargin(), 1e-15);
        clock.advance();
        clock.advance();
        assertEquals(0.2, loss.currentMargin(), 1e-12);
        clock.set(10);
        assertEquals(0.4, loss.currentMargin(), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> clock.set(-1));
    }

    /**
     * arcface_torch's PolynomialLRWarmup: the rates its optimizer used at iterations 0..12, printed
     * by torch 1.13 running the class of lr_scheduler.py (commit 7fadd42) with SGD, stepped per batch.
     */
    @Test
    void polynomialWarmupMatchesArcfaceTorchsScheduler() {
        double[] warm = {0.1, 0.03333333333333333, 0.06666666666666667, 0.10000000000000002, 0.07346938775510208,
            0.05102040816326532, 0.0326530612244898, 0.01836734693877552, 0.008163265306122453,
            0.002040816326530615, 0.0, 0.0, 0.0};
        PolynomialLRWarmup w = new PolynomialLRWarmup(0.1, 3, 10, 2);
        for (int t = 0; t < warm.length; t++) {
            assertEquals(warm[t], w.valueAt(t), 1e-15, "warmup 3, total 10, power 2, iteration " + t);
        }
        double[] plain = {0.1, 0.08750000000000001, 0.075, 0.0625, 0.05, 0.037500000000000006, 0.025, 0.0125, 0.0, 0.0};
        PolynomialLRWarmup p = new PolynomialLRWarmup(0.1, 0, 8, PolynomialLRWarmup.DEFAULT_POWER);
        for (int t = 0; t < plain.length; t++) {
            assertEquals(plain[t], p.valueAt(t), 1e-15, "warmup 0, total 8, power 1, iteration " + t);
        }
        assertEquals(0.01, new PolynomialLRWarmup(0.1, 0, 8, 1, 0.01).valueAt(100), 1e-15, "the floor after the end");
        assertThrows(IllegalArgumentException.class, () -> new PolynomialLRWarmup(0.1, 5, 5, 1));
    }
}
