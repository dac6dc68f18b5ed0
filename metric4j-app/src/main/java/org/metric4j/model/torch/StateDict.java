package org.metric4j.model.torch;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A PyTorch state dict: tensors by key ({@code layer1.0.bn1.running_mean}), in insertion order,
 * which is the order of {@code module.state_dict()} and of the {@code OrderedDict} that
 * {@code torch.save} pickles.
 */
public final class StateDict {

    private final LinkedHashMap<String, TorchTensor> tensors = new LinkedHashMap<>();

    /**
     * Adds a tensor after the existing ones.
     *
     * @throws IllegalArgumentException if the key is already present
     */
    public StateDict put(String key, TorchTensor tensor) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(tensor, "tensor");
        if (tensors.putIfAbsent(key, tensor) != null) {
            throw new IllegalArgumentException("state dict already has key " + key);
        }
        return this;
    }

    /** The tensor under the key, or null. */
    public TorchTensor get(String key) {
        return tensors.get(key);
    }

    public boolean containsKey(String key) {
        return tensors.containsKey(key);
    }

    /** The keys in order. */
    public List<String> keys() {
        return List.copyOf(tensors.keySet());
    }

    /** An unmodifiable, ordered view of the entries. */
    public Map<String, TorchTensor> asMap() {
        return Collections.unmodifiableMap(tensors);
    }

    public int size() {
        return tensors.size();
    }

    /** The total number of elements over all tensors. */
    public long numElements() {
        return tensors.values().stream().mapToLong(TorchTensor::size).sum();
    }

    /**
     * A copy with the prefix removed from every key, e.g. {@code module.} that
     * {@code DistributedDataParallel} adds.
     *
     * @throws IllegalArgumentException if a key does not start with the prefix
     */
    public StateDict withoutPrefix(String prefix) {
        StateDict out = new StateDict();
        tensors.forEach((k, v) -> {
            if (!k.startsWith(prefix)) {
                throw new IllegalArgumentException("key " + k + " does not start with the prefix " + prefix);
            }
            out.put(k.substring(prefix.length()), v);
        });
        return out;
    }

    @Override
    public boolean equals(Object o) {
        // LinkedHashMap's equals ignores order; a state dict's order is part of it
        return o instanceof StateDict s && List.copyOf(tensors.entrySet()).equals(List.copyOf(s.tensors.entrySet()));
    }

    @Override
    public int hashCode() {
        return List.copyOf(tensors.entrySet()).hashCode();
    }

    @Override
    public String toString() {
        return "StateDict(" + tensors.size() + " tensors, " + numElements() + " elements)";
    }
}
