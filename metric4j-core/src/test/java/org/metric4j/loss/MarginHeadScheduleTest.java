package org.metric4j.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.metric4j.loss.HeadTestSupport.logSumExp;
import static org.metric4j.loss.HeadTestSupport.valueOf;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import org.junit.jupiter.api.Test;
import org.metric4j.loss.HeadCatalog.HeadLoss;
import org.metric4j.loss.HeadTestSupport.Problem;
import org.metric4j.schedule.LinearWarmup;
import org.metric4j.schedule.Schedule;
import org.metric4j.schedule.TrainingClock;

/**
 * Margin and lambda schedules over their whole range (issue #12 part 8): ArcFace's and CosFace's
 * margins and L-Softmax / SphereFace's lambda are {@link org.metric4j.schedule.ScheduledParameter}s,
 * checked when built (at iteration 0 and the clock's iteration) and at every read, so a warm-up
 * that leaves the range fails at the step that reads it, naming the value and the iteration. No
 * loss takes a scale schedule.
 */
class MarginHeadScheduleTest {

    /** One row at angle 1 rad from its class e0 (W = I, D = C = 2), float64. */
    private static double loss(HeadLoss f) {
        double theta = 1.0;
        Problem p = new Problem(new double[] {Math.cos(theta), Math.sin(theta)}, 1, 2,
                new double[] {1, 0, 0, 1}, 2, new long[] {0});
        try (NDManager m = NDManager.newBaseManager()) {
            return valueOf(m, f, p, DataType.FLOAT64);
        }
    }

    private static double ce(double s, double target) {
        return logSumExp(s * target, s * Math.sin(1.0)) - s * target;
    }

    @Test
    void aScheduleInvalidAtTheStartIsRejectedWhenBuilt() {
        TrainingClock clock = new TrainingClock();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> HeadCatalog.arcFace(Schedule.constant(2.0), clock));
        assertTrue(e.getMessage().contains("ArcFaceLoss margin") && e.getMessage().contains("2.0")
                && e.getMessage().contains("iteration 0"), e.getMessage());
    }

    @Test
    void aValidScheduleGivesTheLossOfItsCurrentValue() {
        TrainingClock clock = new TrainingClock();
        ArcFaceLoss arc = HeadCatalog.arcFace(new LinearWarmup(0.1, 0.5, 10), clock);
        clock.set(10);
        assertEquals(0.5, arc.currentMargin(), 1e-15);
        assertEquals(ce(64, Math.cos(1.0 + 0.5)), loss(HeadCatalog.cosine(arc, 1)), 1e-9);
        CosFaceLoss cos = HeadCatalog.cosFace(new LinearWarmup(0, 0.35, 10), clock);
        assertEquals(ce(64, Math.cos(1.0) - 0.35), loss(HeadCatalog.cosine(cos, 1)), 1e-9);
    }

    @Test
    void arcFaceRejectsAScheduledMarginOutOfRange() {
        TrainingClock clock = new TrainingClock();
        ArcFaceLoss loss = HeadCatalog.arcFace(new LinearWarmup(0.1, 2.0, 10), clock);
        clock.set(10);
        RuntimeException e = assertThrows(RuntimeException.class,
                () -> loss(HeadCatalog.cosine(loss, 1)));
        assertTrue(e instanceof IllegalArgumentException || e instanceof IllegalStateException);
        assertTrue(e.getMessage().contains("2.0") && e.getMessage().contains("10"),
                "the error names the margin and the iteration: " + e.getMessage());
    }

    @Test
    void cosFaceRejectsAScheduledMarginOutOfRange() {
        TrainingClock clock = new TrainingClock();
        assertThrows(IllegalArgumentException.class,
                () -> HeadCatalog.cosFace(Schedule.constant(-0.2), clock));
        CosFaceLoss loss = HeadCatalog.cosFace(new LinearWarmup(0, 1.5, 10), clock);
        clock.set(10);
        assertThrows(RuntimeException.class, () -> loss(HeadCatalog.cosine(loss, 1)));
    }

    @Test
    void sphereFaceRejectsANegativeScheduledLambda() {
        TrainingClock clock = new TrainingClock();
        LargeMarginSoftmaxLoss loss = HeadCatalog.sphereFace(new LinearWarmup(0, -1, 10), clock);
        clock.set(10);
        RuntimeException e = assertThrows(RuntimeException.class,
                () -> loss(HeadCatalog.cosine(loss, 1)));
        assertTrue(e.getMessage().contains("lambda"), e.getMessage());
    }
}
