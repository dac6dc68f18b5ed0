package org.metric4j.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;

/**
 * AdamW (Loshchilov and Hutter 2019, arXiv:1711.05101) as {@code torch.optim.AdamW} defines it,
 * arcface_torch's {@code optimizer="adamw"}: weight decay decoupled from the gradient,
 * \( w \leftarrow w (1 - \eta \lambda) \), then
 * \( m \leftarrow \beta_1 m + (1 - \beta_1) g \), \( v \leftarrow \beta_2 v + (1 - \beta_2) g^2 \),
 * \( w \leftarrow w - \frac{\eta}{1 - \beta_1^t} \frac{m}{\sqrt{v} / \sqrt{1 - \beta_2^t} + \epsilon} \)
 * (torch's order of operations). Defaults of torch: beta1 {@value #DEFAULT_BETA1}, beta2
 * {@value #DEFAULT_BETA2}, eps {@value #DEFAULT_EPS}; the weight decay comes with each update.
 */
public final class AdamW implements ParameterOptimizer {

    /** torch's default beta1. */
    public static final double DEFAULT_BETA1 = 0.9;
    /** torch's default beta2. */
    public static final double DEFAULT_BETA2 = 0.999;
    /** torch's default eps. */
    public static final double DEFAULT_EPS = 1e-8;

    private final double beta1 = DEFAULT_BETA1;
    private final double beta2 = DEFAULT_BETA2;
    private final double eps = DEFAULT_EPS;
    private final AdamMoments moments;

    /** An optimizer whose state lives on {@code manager}. */
    public AdamW(NDManager manager) {
        this.moments = new AdamMoments(manager, "AdamW");
    }

    @Override
    public void update(String id, NDArray weight, NDArray gradient, double learningRate, double weightDecay) {
        NDArray m = moments.first(id, gradient);
        NDArray v = moments.second(id, gradient);
        if (weightDecay != 0) {
            weight.muli(1 - learningRate * weightDecay);
        }
        m.muli(beta1).addi(gradient.mul(1 - beta1));
        v.muli(beta2).addi(gradient.square().mul(1 - beta2));
        double stepSize = learningRate / (1 - Math.pow(beta1, moments.step()));
        double c2Sqrt = Math.sqrt(1 - Math.pow(beta2, moments.step()));
        NDArray denom = v.sqrt().div(c2Sqrt).add(eps);
        weight.subi(m.div(denom).mul(stepSize));
    }

    @Override
    public void nextStep() {
        moments.nextStep();
    }

    @Override
    public NDList state() {
        return moments.state();
    }

    @Override
    public void loadState(NDList state, NDManager target) {
        moments.loadState(state);
    }

    @Override
    public String toString() {
        return "AdamW(beta1=" + beta1 + ", beta2=" + beta2 + ", eps=" + eps + ", decoupled weight decay)";
    }
}
