package org.metric4j.schedule;

import java.util.Objects;
import java.util.function.DoublePredicate;

/**
 * A loss parameter (a margin, an annealing lambda) that follows a {@link Schedule} on a {@link
 * TrainingClock} and is checked against its valid range at every read, not only at iteration 0:
 * a warm-up that ends outside the range fails at the iteration where it leaves it, naming the
 * parameter, the value and the iteration, instead of training on a meaningless loss.
 */
public final class ScheduledParameter {

    private final String name;
    private final Schedule schedule;
    private final TrainingClock clock;
    private final DoublePredicate valid;
    private final String range;

    private ScheduledParameter(String name, Schedule schedule, TrainingClock clock, DoublePredicate valid,
            String range) {
        this.name = Objects.requireNonNull(name, "name");
        this.schedule = Objects.requireNonNull(schedule, name + " schedule");
        this.clock = Objects.requireNonNull(clock, name + " clock");
        this.valid = Objects.requireNonNull(valid, "valid");
        this.range = Objects.requireNonNull(range, "range");
    }

    /**
     * A parameter, checked at once at iteration 0 and the clock's current iteration.
     *
     * @param name the parameter as errors name it, e.g. "ArcFaceLoss margin"
     * @param schedule its values over iterations
     * @param clock the iteration it is read at
     * @param valid which values are valid
     * @param range the valid range as errors state it, e.g. "[0, pi/2) radians"
     * @throws IllegalArgumentException when a value at iteration 0 or now is outside the range
     */
    public static ScheduledParameter of(String name, Schedule schedule, TrainingClock clock, DoublePredicate valid,
            String range) {
        ScheduledParameter p = new ScheduledParameter(name, schedule, clock, valid, range);
        for (long it : new long[] {0, clock.iteration()}) {
            double v = schedule.valueAt(it);
            if (!valid.test(v)) {
                throw new IllegalArgumentException(p.message(v, it));
            }
        }
        return p;
    }

    /** A constant parameter on its own clock. */
    public static ScheduledParameter constant(String name, double value, DoublePredicate valid, String range) {
        return of(name, Schedule.constant(value), new TrainingClock(), valid, range);
    }

    /**
     * The value at the clock's current iteration.
     *
     * @throws IllegalStateException when the schedule has left the valid range there
     */
    public double value() {
        long it = clock.iteration();
        double v = schedule.valueAt(it);
        if (!valid.test(v)) {
            throw new IllegalStateException(message(v, it));
        }
        return v;
    }

    /** The schedule. */
    public Schedule schedule() {
        return schedule;
    }

    /** The clock. */
    public TrainingClock clock() {
        return clock;
    }

    private String message(double v, long iteration) {
        return name + ": the schedule " + schedule + " gives " + v + " at iteration " + iteration + ", expected "
                + range;
    }

    @Override
    public String toString() {
        return schedule.toString();
    }
}
