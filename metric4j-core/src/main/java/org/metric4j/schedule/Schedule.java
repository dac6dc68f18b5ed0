package org.metric4j.schedule;

/** A loss parameter as a function of the training iteration. */
@FunctionalInterface
public interface Schedule {

    /**
     * The value at an iteration.
     *
     * @param iteration the training iteration (0 at the start)
     * @return the value
     */
    double valueAt(long iteration);

    /** A constant schedule. */
    static Schedule constant(double value) {
        return new Constant(value);
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
}
