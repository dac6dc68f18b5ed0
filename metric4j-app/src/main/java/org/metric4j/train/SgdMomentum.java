package org.metric4j.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * SGD with momentum as PyTorch defines it: \( g \leftarrow g + \lambda w \),
 * \( v \leftarrow \mu v + g \) (v = g at the first step), \( w \leftarrow w - \eta v \).
 * Default momentum {@value #DEFAULT_MOMENTUM} (the face-recognition recipes).
 */
public final class SgdMomentum implements ParameterOptimizer {

    /** Default momentum. */
    public static final double DEFAULT_MOMENTUM = 0.9;

    private final double momentum;
    private final Map<String, NDArray> velocity = new LinkedHashMap<>();
    private final NDManager manager;

    /** An optimizer whose state lives on {@code manager}. */
    public SgdMomentum(NDManager manager, double momentum) {
        if (!(momentum >= 0 && momentum < 1)) {
            throw new IllegalArgumentException("momentum must be in [0, 1), got " + momentum);
        }
        this.manager = manager;
        this.momentum = momentum;
    }

    @Override
    public void update(String id, NDArray weight, NDArray gradient, double learningRate, double weightDecay) {
        NDArray g = weightDecay == 0 ? gradient : gradient.add(weight.mul(weightDecay));
        NDArray v = velocity.get(id);
        if (momentum > 0) {
            if (v == null) {
                v = g.duplicate();
                v.attach(manager);
                ai.djl.ndarray.NDScope.unregister(v);
                velocity.put(id, v);
            } else {
                v.muli(momentum).addi(g);
            }
            weight.subi(v.mul(learningRate));
        } else {
            weight.subi(g.mul(learningRate));
        }
    }

    @Override
    public NDList state() {
        NDList list = new NDList();
        velocity.forEach((id, v) -> {
            v.setName(id + "/velocity");
            list.add(v);
        });
        return list;
    }

    @Override
    public void loadState(NDList state, NDManager target) {
        velocity.values().forEach(NDArray::close);
        velocity.clear();
        for (NDArray a : state) {
            String name = a.getName();
            if (name == null || !name.endsWith("/velocity")) {
                throw new IllegalArgumentException("optimizer state entry has no '/velocity' name: " + name);
            }
            NDArray copy = a.duplicate();
            copy.attach(manager);
            ai.djl.ndarray.NDScope.unregister(copy);
            velocity.put(name.substring(0, name.length() - "/velocity".length()), copy);
        }
    }

    @Override
    public String toString() {
        return "SgdMomentum(momentum=" + momentum + ")";
    }
}
