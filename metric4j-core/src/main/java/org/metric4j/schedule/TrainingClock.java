package org.metric4j.schedule;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The training iteration that scheduled losses read. A training loop calls {@link #advance()}
 * after each step (and {@link #set(long)} when it resumes from a checkpoint); losses built with
 * the same clock follow it.
 */
public final class TrainingClock {

    private final AtomicLong iteration = new AtomicLong();

    /** The current iteration. */
    public long iteration() {
        return iteration.get();
    }

    /** Moves to the next iteration. */
    public void advance() {
        iteration.incrementAndGet();
    }

    /** Sets the iteration (>= 0), as when resuming. */
    public void set(long value) {
        if (value < 0) {
            throw new IllegalArgumentException("iteration must be >= 0, got " + value);
        }
        iteration.set(value);
    }

    @Override
    public String toString() {
        return "TrainingClock(iteration=" + iteration() + ")";
    }
}
