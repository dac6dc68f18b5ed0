package org.metric4j.schedule;

import ai.djl.training.tracker.Tracker;

/**
 * A value as a function of the training iteration: a loss parameter (SphereFace's lambda, a margin
 * warm-up) or a learning rate.
 *
 * <p>Learning rates use DJL's {@link Tracker}s where they fit ({@code FixedTracker}, {@code
 * WarmUpTracker}, {@code CosineTracker}, {@code PolynomialDecayTracker}, {@code FactorTracker}),
 * read through {@link #of(Tracker, String)}; a schedule goes the other way, into a DJL optimizer,
 * through {@link #asTracker()}. metric4j keeps its own where DJL's do not fit: {@link StepDecay}
 * (DJL's {@code MultiFactorTracker} keeps a cursor that only moves forward, so a resumed run or a
 * second read of an earlier iteration gets the wrong value, and it rejects a single milestone),
 * {@link PowerDecay} (SphereFace's \( (1 + \gamma t)^{-p} \) is not DJL's polynomial decay) and
 * {@link LinearWarmup} (loss parameters stay in double precision, DJL's trackers are float).
 */
@FunctionalInterface
public interface Schedule {

    /**
     * The value at an iteration.
     *
     * @param iteration the training iteration (0 at the start)
     * @return the value
     */
    double valueAt(long iteration);

    /** This schedule as a DJL tracker (the value rounded to float), say for a DJL optimizer. */
    default Tracker asTracker() {
        return numUpdate -> (float) valueAt(numUpdate);
    }

    /** A constant schedule. */
    static Schedule constant(double value) {
        return new Constant(value);
    }

    /**
     * A DJL tracker read as a schedule: {@code valueAt(t) = tracker.getNewValue(t)}.
     *
     * @param tracker the tracker
     * @param description its {@code toString} (DJL's trackers have none)
     * @return the schedule
     */
    static Schedule of(Tracker tracker, String description) {
        if (tracker == null) {
            throw new IllegalArgumentException("tracker must not be null");
        }
        return new Tracked(tracker, description);
    }

    /** A constant schedule with a readable {@code toString}. */
    record Constant(double value) implements Schedule {
        @Override
        public double valueAt(long iteration) {
            return value;
        }

        @Override
        public String toString() {
            return String.valueOf(value);
        }
    }

    /** A DJL tracker as a schedule (iterations beyond {@code Integer.MAX_VALUE} read that one). */
    record Tracked(Tracker tracker, String description) implements Schedule {
        @Override
        public double valueAt(long iteration) {
            return tracker.getNewValue((int) Math.min(Integer.MAX_VALUE, Math.max(0, iteration)));
        }

        @Override
        public Tracker asTracker() {
            return tracker;
        }

        @Override
        public String toString() {
            return description;
        }
    }
}
