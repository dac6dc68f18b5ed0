package org.metric4j.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;

/** Unpacking of the DJL {@code predictions} list for losses that take explicit arrays. */
final class ExplicitInputs {

    private ExplicitInputs() {}

    static NDArray get(String loss, NDList list, int index, String what) {
        if (list == null || list.size() <= index) {
            throw new IllegalArgumentException(
                    loss + ": predictions must hold " + what + " at position " + index + ", got "
                            + (list == null ? 0 : list.size()) + " arrays");
        }
        return list.get(index);
    }
}
