package org.metric4j.schedule;

import java.util.Arrays;

/**
 * Piecewise-constant decay: \( base \cdot \gamma^{j} \) after the j-th milestone (iterations,
 * ascending), the learning-rate schedule of most face-recognition recipes (e.g. x0.1 at fixed
 * iterations).
 */
public record StepDecay(double base, double gamma, long[] milestones) implements Schedule {

    /** Validates the parameters. */
    public StepDecay {
        if (!(base >= 0) || !(gamma > 0)) {
            throw new IllegalArgumentException("base must be >= 0 and gamma > 0, got " + base + ", " + gamma);
        }
        milestones = milestones.clone();
        for (int i = 1; i < milestones.length; i++) {
            if (milestones[i] <= milestones[i - 1]) {
                throw new IllegalArgumentException(
                        "milestones must be strictly ascending, got " + Arrays.toString(milestones));
            }
        }
    }

    @Override
    public double valueAt(long iteration) {
        int passed = 0;
        for (long m : milestones) {
            if (iteration >= m) {
                passed++;
            }
        }
        return base * Math.pow(gamma, passed);
    }

    @Override
    public String toString() {
        return "StepDecay(base=" + base + ", gamma=" + gamma + ", milestones=" + Arrays.toString(milestones) + ")";
    }
}
