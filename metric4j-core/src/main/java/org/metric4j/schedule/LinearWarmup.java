package org.metric4j.schedule;

/**
 * A linear ramp from {@code start} to {@code end} over {@code iterations}, then {@code end}: the
 * margin warm-up used to start CosFace / ArcFace training without collapse.
 */
public record LinearWarmup(double start, double end, long iterations) implements Schedule {

    /** Validates the parameters. */
    public LinearWarmup {
        if (iterations < 0 || !Double.isFinite(start) || !Double.isFinite(end)) {
            throw new IllegalArgumentException(
                    "iterations must be >= 0 and start, end finite, got " + iterations + ", "
                            + start + ", " + end);
        }
    }

    @Override
    public double valueAt(long iteration) {
        if (iterations == 0 || iteration >= iterations) {
            return end;
        }
        return start + (end - start) * Math.max(0, iteration) / (double) iterations;
    }
}
