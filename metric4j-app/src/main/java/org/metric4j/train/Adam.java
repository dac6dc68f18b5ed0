package org.metric4j.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;

/**
 * Adam (Kingma and Ba 2015, arXiv:1412.6980) as PyTorch defines it, with L2 weight decay added
 * to the gradient: \( m \leftarrow \beta_1 m + (1 - \beta_1) g \),
 * \( v \leftarrow \beta_2 v + (1 - \beta_2) g^2 \),
 * \( w \leftarrow w - \eta \frac{m / (1 - \beta_1^t)}{\sqrt{v / (1 - \beta_2^t)} + \epsilon} \).
 * Defaults: beta1 0.9, beta2 0.999, eps 1e-8.
 */
public final class Adam implements ParameterOptimizer {

    private final double beta1 = 0.9;
    private final double beta2 = 0.999;
    private final double eps = 1e-8;
    private final AdamMoments moments;

    /** An optimizer whose state lives on {@code manager}. */
    public Adam(NDManager manager) {
        this.moments = new AdamMoments(manager, "Adam");
    }

    @Override
    public void update(String id, NDArray weight, NDArray gradient, double learningRate, double weightDecay) {
        NDArray g = weightDecay == 0 ? gradient : gradient.add(weight.mul(weightDecay));
        NDArray m = moments.first(id, g);
        NDArray v = moments.second(id, g);
        m.muli(beta1).addi(g.mul(1 - beta1));
        v.muli(beta2).addi(g.square().mul(1 - beta2));
        double c1 = 1 - Math.pow(beta1, moments.step());
        double c2 = 1 - Math.pow(beta2, moments.step());
        NDArray denom = v.div(c2).sqrt().add(eps);
        weight.subi(m.div(c1).div(denom).mul(learningRate));
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
        return "Adam(beta1=" + beta1 + ", beta2=" + beta2 + ", eps=" + eps + ")";
    }
}
