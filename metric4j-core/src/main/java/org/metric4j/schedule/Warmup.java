package org.metric4j.schedule;

/**
 * A linear warm-up in front of another schedule: during the first {@code iterations} the value
 * rises linearly from {@code startFactor} times the inner schedule's value to the full value.
 */
public record Warmup(Schedule inner, long iterations, double startFactor) implements Schedule {

    /** Validates the parameters. */
    public Warmup {
        if (iterations < 0 || !(startFactor >= 0 && startFactor <= 1)) {
            throw new IllegalArgumentException(
                    "iterations must be >= 0 and startFactor in [0, 1], got " + iterations + ", " + startFactor);
        }
    }

    @Override
    public double valueAt(long iteration) {
        double v = inner.valueAt(iteration);
        if (iteration >= iterations) {
            return v;
        }
        double f = startFactor + (1 - startFactor) * iteration / (double) iterations;
        return v * f;
    }
}
