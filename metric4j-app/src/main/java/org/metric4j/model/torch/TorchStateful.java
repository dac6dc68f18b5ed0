package org.metric4j.model.torch;

import java.util.List;

/**
 * A block whose parameters and buffers map one-to-one onto the {@code state_dict()} keys of a
 * PyTorch module, so that weights saved by PyTorch load into it and its weights save back under
 * the same names, shapes and dtypes.
 */
public interface TorchStateful {

    /**
     * The entries in the order PyTorch's {@code state_dict()} lists them. The block must be
     * initialized, so that every parameter has its array.
     */
    List<StateEntry> stateEntries();
}
