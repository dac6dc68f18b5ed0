package org.metric4j.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import java.util.LinkedHashMap;
import java.util.Map;

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
    private final NDManager manager;
    private final Map<String, NDArray> first = new LinkedHashMap<>();
    private final Map<String, NDArray> second = new LinkedHashMap<>();
    private long step = 1;

    /** An optimizer whose state lives on {@code manager}. */
    public Adam(NDManager manager) {
        this.manager = manager;
    }

    @Override
    public void update(String id, NDArray weight, NDArray gradient, double learningRate, double weightDecay) {
        NDArray g = weightDecay == 0 ? gradient : gradient.add(weight.mul(weightDecay));
        NDArray m = first.get(id);
        NDArray v = second.get(id);
        if (m == null) {
            m = g.zerosLike();
            v = g.zerosLike();
            m.attach(manager);
            v.attach(manager);
            ai.djl.ndarray.NDScope.unregister(m, v);
            first.put(id, m);
            second.put(id, v);
        }
        m.muli(beta1).addi(g.mul(1 - beta1));
        v.muli(beta2).addi(g.square().mul(1 - beta2));
        double c1 = 1 - Math.pow(beta1, step);
        double c2 = 1 - Math.pow(beta2, step);
        NDArray denom = v.div(c2).sqrt().add(eps);
        weight.subi(m.div(c1).div(denom).mul(learningRate));
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
            ai.djl.ndarray.NDScope.unregister(copy);
            if (name != null && name.endsWith("/m")) {
                first.put(name.substring(0, name.length() - 2), copy);
            } else if (name != null && name.endsWith("/v")) {
                second.put(name.substring(0, name.length() - 2), copy);
            } else {
                throw new IllegalArgumentException("unknown Adam state entry: " + name);
            }
        }
    }

    @Override
    public String toString() {
        return "Adam(beta1=" + beta1 + ", beta2=" + beta2 + ", eps=" + eps + ")";
    }
}
