package org.metric4j.model.torch;

import java.util.Arrays;

/**
 * An instance of a Python class outside the ones a state dict is made of, kept as its class name,
 * constructor arguments and {@code BUILD} state, never run; the reader uses it to say what a file
 * holds instead (a pickled {@code nn.Module}, a TorchScript class, an optimizer state). This is
 * the Java side of PyTorch's allow-list in torch/_weights_only_unpickler.py.
 */
final class PickledObject {

    private final String className;
    private final Object[] args;
    private Object state;

    PickledObject(String className, Object[] args) {
        this.className = className;
        this.args = args;
    }

    /** The qualified class name, e.g. {@code __main__.Tiny}. */
    String className() {
        return className;
    }

    Object[] args() {
        return args.clone();
    }

    Object state() {
        return state;
    }

    void setState(Object state) {
        this.state = state;
    }

    @Override
    public String toString() {
        return className + Arrays.toString(args);
    }
}
