package org.metric4j.miner;

import java.util.ArrayList;
import java.util.List;

/**
 * Pearson's chi-square goodness-of-fit test for the sampling miners (no statistics library is on
 * the test classpath): the statistic over groups of cells, each group a multinomial with known
 * cell probabilities, and its p-value from the regularized upper incomplete gamma function
 * \( Q(k/2, x/2) \) (series below a + 1, Lentz's continued fraction above; Lanczos log-gamma).
 */
final class ChiSquare {

    private double statistic;
    private int degrees;

    /**
     * Adds one multinomial group: observed counts and the cell probabilities (summing to 1).
     * Cells of expected count below 5 are pooled into one cell; cells of probability 0 must be
     * empty and add nothing.
     */
    ChiSquare add(long[] observed, double[] probabilities) {
        long n = 0;
        for (long o : observed) {
            n += o;
        }
        List<double[]> cells = new ArrayList<>();
        double pooledE = 0;
        double pooledO = 0;
        for (int i = 0; i < observed.length; i++) {
            if (probabilities[i] == 0) {
                if (observed[i] != 0) {
                    throw new AssertionError("cell " + i + " has probability 0 but " + observed[i] + " draws");
                }
                continue;
            }
            double e = n * probabilities[i];
            if (e < 5) {
                pooledE += e;
                pooledO += observed[i];
            } else {
                cells.add(new double[] {observed[i], e});
            }
        }
        if (pooledE > 0) {
            cells.add(new double[] {pooledO, pooledE});
        }
        for (double[] c : cells) {
            statistic += (c[0] - c[1]) * (c[0] - c[1]) / c[1];
        }
        degrees += Math.max(0, cells.size() - 1);
        return this;
    }

    double statistic() {
        return statistic;
    }

    int degrees() {
        return degrees;
    }

    /** P(X >= statistic) for X chi-square with {@link #degrees()} degrees of freedom. */
    double pValue() {
        return upperTail(statistic, degrees);
    }

    /** P(X >= x), X chi-square with k degrees of freedom. */
    static double upperTail(double x, int k) {
        return regularizedGammaQ(k / 2.0, x / 2.0);
    }

    static double regularizedGammaQ(double a, double x) {
        if (x <= 0) {
            return 1;
        }
        if (x < a + 1) {
            double sum = 1 / a;
            double term = sum;
            for (int n = 1; n < 10_000; n++) {
                term *= x / (a + n);
                sum += term;
                if (Math.abs(term) < Math.abs(sum) * 1e-16) {
                    break;
                }
            }
            return 1 - sum * Math.exp(-x + a * Math.log(x) - logGamma(a));
        }
        double tiny = 1e-300;
        double b = x + 1 - a;
        double c = 1 / tiny;
        double d = 1 / b;
        double h = d;
        for (int i = 1; i < 10_000; i++) {
            double an = -i * (i - a);
            b += 2;
            d = an * d + b;
            d = Math.abs(d) < tiny ? tiny : d;
            c = b + an / c;
            c = Math.abs(c) < tiny ? tiny : c;
            d = 1 / d;
            double delta = d * c;
            h *= delta;
            if (Math.abs(delta - 1) < 1e-16) {
                break;
            }
        }
        return Math.exp(-x + a * Math.log(x) - logGamma(a)) * h;
    }

    /** ln Gamma(x) for x > 0 (Lanczos, g = 7, 9 terms). */
    static double logGamma(double x) {
        double[] g = {0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
            -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6,
            1.5056327351493116e-7};
        if (x < 0.5) {
            return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
        }
        x -= 1;
        double s = g[0];
        for (int i = 1; i < 9; i++) {
            s += g[i] / (x + i);
        }
        double t = x + 7.5;
        return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(s);
    }
}
