package org.metric4j.schedule;

/**
 * InsightFace arcface_torch's {@code PolynomialLRWarmup} ({@code recognition/arcface_torch/lr_scheduler.py},
 * stepped once per batch): a linear warm-up from 0 over {@code warmup} iterations, then polynomial
 * decay to {@code end} at {@code total} iterations, {@code end} afterwards. With
 * \( w \) = warmup, \( T \) = total, \( p \) = power, the rate used at iteration \( t \) (0-based,
 * the scheduler's {@code last_epoch}) is
 * \[ \eta_t = \begin{cases} \eta &amp; t = 0 \\ \eta\, t / w &amp; 0 &lt; t \le w \\
 * e + (\eta - e)\,(1 - (\min(t, T) - w) / (T - w))^p &amp; t &gt; w \end{cases} \]
 *
 * <p>As torch's class, the first iteration runs at the base rate even with a warm-up (its first
 * {@code get_lr()} returns the optimizer's rate unchanged). torch multiplies the previous rate by a
 * ratio each step; this is its closed form ({@code _get_closed_form_lr}), equal up to rounding.
 * The floor {@code end} is metric4j's (as DJL's {@code PolynomialDecayTracker}); arcface_torch's
 * is 0. arcface_torch's defaults: power {@value #DEFAULT_POWER}, warm-up 0.
 */
public record PolynomialLRWarmup(double base, long warmup, long total, double power, double end)
        implements Schedule {

    /** arcface_torch's default power. */
    public static final double DEFAULT_POWER = 1.0;

    /** Validates the parameters. */
    public PolynomialLRWarmup {
        if (!(base >= end) || !(end >= 0) || !(power > 0) || warmup < 0 || total <= warmup) {
            throw new IllegalArgumentException("poly needs lr >= end >= 0, power > 0 and 0 <= warmup < total"
                    + " iterations, got lr=" + base + ", end=" + end + ", power=" + power + ", warmup=" + warmup
                    + ", total=" + total);
        }
    }

    /** arcface_torch's schedule: decay to 0. */
    public PolynomialLRWarmup(double base, long warmup, long total, double power) {
        this(base, warmup, total, power, 0);
    }

    @Override
    public double valueAt(long iteration) {
        if (iteration <= 0) {
            return base;
        }
        if (iteration <= warmup) {
            return base * iteration / warmup;
        }
        double done = (Math.min(total, iteration) - warmup) / (double) (total - warmup);
        return end + (base - end) * Math.pow(1.0 - done, power);
    }

    @Override
    public String toString() {
        return "PolynomialLRWarmup(lr=" + base + ", warmup=" + warmup + ", total=" + total + ", power=" + power
                + (end == 0 ? "" : ", end=" + end) + ")";
    }
}
