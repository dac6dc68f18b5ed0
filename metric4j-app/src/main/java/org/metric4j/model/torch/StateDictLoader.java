package org.metric4j.model.torch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Moves weights between a {@link StateDict} and a {@link TorchStateful} block, with the semantics
 * of PyTorch's {@code module.load_state_dict(sd, strict=True)} (torch/nn/modules/module.py): every
 * key of the block must be in the state dict and no other, with equal shapes. All mismatches are
 * reported in one {@link IllegalArgumentException} (the first {@value #LISTED} of each kind and
 * the counts), before any value changes. Values of another floating type (float16, bfloat16,
 * float64) are converted to the parameter's type, as {@code param.copy_(input)} does; counters
 * ({@code num_batches_tracked}) take the value of an integer 0-d tensor.
 */
public final class StateDictLoader {

    /** How many keys of each kind an error lists. */
    public static final int LISTED = 10;

    private StateDictLoader() {}

    /**
     * Loads the state dict into the block strictly.
     *
     * @throws IllegalArgumentException naming the missing and unexpected keys and the mismatched
     *     entries; the block is unchanged then
     */
    public static void load(StateDict sd, TorchStateful block) {
        Map<String, StateEntry> entries = new LinkedHashMap<>();
        for (StateEntry e : block.stateEntries()) {
            if (entries.putIfAbsent(e.key(), e) != null) {
                throw new IllegalArgumentException(name(block) + " lists the state key " + e.key() + " twice");
            }
        }
        List<String> missing = new ArrayList<>();
        List<String> mismatched = new ArrayList<>();
        for (StateEntry e : entries.values()) {
            TorchTensor t = sd.get(e.key());
            if (t == null) {
                missing.add(e.key());
            } else if (!t.shape().equals(e.shape()) || !convertible(t.dataType(), e)) {
                mismatched.add(e.key() + ": state dict " + t.dataType() + " " + t.shape() + ", block "
                        + e.dataType() + " " + e.shape());
            }
        }
        List<String> unexpected = sd.keys().stream().filter(k -> !entries.containsKey(k)).toList();
        if (!missing.isEmpty() || !unexpected.isEmpty() || !mismatched.isEmpty()) {
            throw new IllegalArgumentException("state dict does not match " + name(block) + " (strict load): "
                    + listing(missing, "missing key", "missing keys") + "; "
                    + listing(unexpected, "unexpected key", "unexpected keys") + "; "
                    + listing(mismatched, "mismatched entry", "mismatched entries")
                    + "; check that the block is built with the architecture options the weights were trained"
                    + " with, and that the right --weights-key is read");
        }
        for (StateEntry e : entries.values()) {
            set(e, sd.get(e.key()));
        }
    }

    /**
     * The block's state dict: its parameters in their own types, its counters as int64 0-d
     * tensors, in {@link TorchStateful#stateEntries()} order.
     */
    public static StateDict stateDict(TorchStateful block) {
        StateDict sd = new StateDict();
        for (StateEntry e : block.stateEntries()) {
            sd.put(e.key(), e.isCounter() ? TorchTensor.scalar(e.count().get())
                    : TorchTensor.from(e.parameter().getArray()));
        }
        return sd;
    }

    private static boolean convertible(DataType from, StateEntry to) {
        if (to.isCounter()) {
            return from.isInteger();
        }
        DataType target = to.dataType();
        return from == target || (from.isFloating() && target.isFloating());
    }

    private static void set(StateEntry e, TorchTensor t) {
        if (e.isCounter()) {
            e.count().set(t.longValue());
            return;
        }
        NDArray target = e.parameter().getArray();
        try (NDManager scope = target.getManager().newSubManager()) {
            NDArray value = t.toNDArray(scope);
            if (value.getDataType() != target.getDataType()) {
                value = value.toType(target.getDataType(), false);
            }
            target.set(value.toByteBuffer());
        }
    }

    private static String listing(List<String> items, String one, String many) {
        String head = items.size() + " " + (items.size() == 1 ? one : many);
        if (items.isEmpty()) {
            return head;
        }
        String shown = String.join(", ", items.subList(0, Math.min(LISTED, items.size())));
        return head + " [" + shown + (items.size() > LISTED ? ", ... " + (items.size() - LISTED) + " more" : "")
                + "]";
    }

    private static String name(TorchStateful block) {
        return block.getClass().getSimpleName();
    }
}
