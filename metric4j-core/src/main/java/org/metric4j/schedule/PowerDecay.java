package org.metric4j.schedule;

/**
 * The annealing of SphereFace / L-Softmax's lambda (Liu et al. 2017, arXiv:1704.08063; the
 * authors' Caffe "MarginInnerProduct" layer):
 * \( \lambda = \max(\lambda_{min}, base \cdot (1 + \gamma \cdot it)^{-power}) \).
 *
 * <p>Defaults of SphereFace's released training: base {@value #DEFAULT_BASE}, gamma {@value
 * #DEFAULT_GAMMA}, power {@value #DEFAULT_POWER}, lambda_min {@value #DEFAULT_LAMBDA_MIN}.
 */
public record PowerDecay(double base, double gamma, double power, double lambdaMin)
        implements Schedule {

    /** Default base. */
    public static final double DEFAULT_BASE = 1000;
    /** Default gamma. */
    public static final double DEFAULT_GAMMA = 0.12;
    /** Default power. */
    public static final double DEFAULT_POWER = 1;
    /** Default floor. */
    public static final double DEFAULT_LAMBDA_MIN = 5;

    /** Validates the parameters. */
    public PowerDecay {
        if (!(base >= 0) || !(gamma >= 0) || !(power >= 0) || !(lambdaMin >= 0)) {
            throw new IllegalArgumentException(
                    "base, gamma, power and lambdaMin must be >= 0, got " + base + ", " + gamma
                            + ", " + power + ", " + lambdaMin);
        }
    }

    /** SphereFace's released schedule. */
    public static PowerDecay sphereFace() {
        return new PowerDecay(DEFAULT_BASE, DEFAULT_GAMMA, DEFAULT_POWER, DEFAULT_LAMBDA_MIN);
    }

    @Override
    public double valueAt(long iteration) {
        return Math.max(lambdaMin, base * Math.pow(1 + gamma * iteration, -power));
    }
}
