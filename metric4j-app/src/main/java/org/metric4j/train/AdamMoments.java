package org.metric4j.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The state of {@link Adam} and {@link AdamW}: each parameter's first and second moment (m, v),
 * created as zeros at its first update and kept on the optimizer's manager outside any {@link
 * NDScope}, and the 1-based step count t of the bias correction; saved as {@code ID/m}, {@code
 * ID/v} and {@code __step}.
 */
final class AdamMoments {

    private final NDManager manager;
    private final String optimizer;
    private final Map<String, NDArray> first = new LinkedHashMap<>();
    private final Map<String, NDArray> second = new LinkedHashMap<>();
    private long step = 1;

    /**
     * @param manager the manager the moments live on
     * @param optimizer the optimizer's name, for errors
     */
    AdamMoments(NDManager manager, String optimizer) {
        this.manager = manager;
        this.optimizer = optimizer;
    }

    /** The parameter's first moment m, zeros shaped like {@code like} at its first update. */
    NDArray first(String id, NDArray like) {
        create(id, like);
        return first.get(id);
    }

    /** The parameter's second moment v, zeros shaped like {@code like} at its first update. */
    NDArray second(String id, NDArray like) {
        create(id, like);
        return second.get(id);
    }

    private void create(String id, NDArray like) {
        if (first.containsKey(id)) {
            return;
        }
        NDArray m = like.zerosLike();
        NDArray v = like.zerosLike();
        m.attach(manager);
        v.attach(manager);
        NDScope.unregister(m, v);
        first.put(id, m);
        second.put(id, v);
    }

    /** The step t of the bias correction (1 at the first update). */
    long step() {
        return step;
    }

    /** Advances t. */
    void nextStep() {
        step++;
    }

    /** The moments and t as named arrays. */
    NDList state() {
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

    /** Replaces the moments and t by copies of those {@link #state()} saved. */
    void loadState(NDList state) {
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
                throw new IllegalArgumentException("unknown " + optimizer + " state entry: " + name);
            }
        }
    }
}
