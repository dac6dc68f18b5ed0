package org.metric4j.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import java.util.LinkedHashMap;
import java.util.Map;

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
    private final NDManager manager;
    private final Map<String, NDArray> first = new LinkedHashMap<>();
    private final Map<String, NDArray> second = new LinkedHashMap<>();
    private long step = 1;

    /** An optimizer whose state lives on {@code manager}. */
    public AdamW(NDManager manager) {
        this.manager = manager;
    }

    @Override
    public void update(String id, NDArray weight, NDArray gradient, double learningRate, double weightDecay) {
        NDArray m = first.get(id);
        NDArray v = second.get(id);
        if (m == null) {
            m = gradient.zerosLike();
            v = gradient.zerosLike();
            m.attach(manager);
            v.attach(manager);
            NDScope.unregister(m, v);
            first.put(id, m);
            second.put(id, v);
        }
        if (weightDecay != 0) {
            weight.muli(1 - learningRate * weightDecay);
        }
        m.muli(beta1).addi(gradient.mul(1 - beta1));
        v.muli(beta2).addi(gradient.square().mul(1 - beta2));
        double stepSize = learningRate / (1 - Math.pow(beta1, step));
        double c2Sqrt = Math.sqrt(1 - Math.pow(beta2, step));
        NDArray denom = v.sqrt().div(c2Sqrt).add(eps);
        weight.subi(m.div(denom).mul(stepSize));
    }

    @Override
    public void nextStep() {
        step++;
    }

    @Override
    public NDList state() {
        NDList list = new NDList();
        first.forEach((id, a) -> {
            a.setName(id + "/m");
            list.add(a);
        });
        second.forEach((id, a) -> {
            a.setName(id + "/v");
            list.add(a);
        });
        NDArray t = manager.create(new long[] {step});
        t.setName("__step");
        list.add(t);
        return list;
    }

    @Override
    public void loadState(NDList state, NDManager target) {
        first.values().forEach(NDArray::close);
        second.values().forEach(NDArray::close);
        first.clear();
        second.clear();
        for (NDArray a : state) {
            String name = a.getName();
            if ("__step".equals(name)) {
                step = a.toLongArray()[0];
                continue;
            }
            NDArray copy = a.duplicate();
            copy.attach(manager);
            NDScope.unregister(copy);
            if (name != null && name.endsWith("/m")) {
                first.put(name.substring(0, name.length() - 2), copy);
            } else if (name != null && name.endsWith("/v")) {
                second.put(name.substring(0, name.length() - 2), copy);
            } else {
                throw new IllegalArgumentException("unknown AdamW state entry: " + name);
            }
        }
    }

    @Override
    public String toString() {
        return "AdamW(beta1=" + beta1 + ", beta2=" + beta2 + ", eps=" + eps + ", decoupled weight decay)";
    }
}
