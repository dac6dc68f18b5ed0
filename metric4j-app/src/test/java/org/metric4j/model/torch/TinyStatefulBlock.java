package org.metric4j.model.torch;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A test block with the state of {@code nn.Linear(3, 2)} followed by {@code nn.BatchNorm1d(2)},
 * plus a float64 buffer and optional extra parameters, all zero at the start.
 */
final class TinyStatefulBlock implements TorchStateful {

    final AtomicLong numBatchesTracked = new AtomicLong();
    private final List<StateEntry> entries = new ArrayList<>();

    TinyStatefulBlock(NDManager manager) {
        this(manager, 0);
    }

    /** With {@code extra} more float32 parameters {@code extra.<i>} of shape (1). */
    TinyStatefulBlock(NDManager manager, int extra) {
        add(manager, "fc.weight", new Shape(2, 3), DataType.FLOAT32);
        add(manager, "fc.bias", new Shape(2), DataType.FLOAT32);
        add(manager, "bn.running_mean", new Shape(2), DataType.FLOAT32);
        entries.add(StateEntry.counter("bn.num_batches_tracked", numBatchesTracked));
        add(manager, "stats.f64", new Shape(2), DataType.FLOAT64);
        for (int i = 0; i < extra; i++) {
            add(manager, "extra." + i, new Shape(1), DataType.FLOAT32);
        }
    }

    private void add(NDManager manager, String key, Shape shape, DataType type) {
        Parameter p = Parameter.builder().setName(key).setType(Parameter.Type.WEIGHT).build();
        p.setArray(manager.zeros(shape, type));
        entries.add(StateEntry.of(key, p));
    }

    Parameter parameter(String key) {
        return entries.stream().filter(e -> e.key().equals(key)).findFirst().orElseThrow().parameter();
    }

    @Override
    public List<StateEntry> stateEntries() {
        return List.copyOf(entries);
    }
}
