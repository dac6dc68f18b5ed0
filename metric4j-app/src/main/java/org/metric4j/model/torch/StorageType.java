package org.metric4j.model.torch;

import ai.djl.ndarray.types.DataType;
import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The {@code torch.*Storage} classes that a {@code torch.save} pickle names in each tensor's
 * persistent id, {@code ('storage', torch.FloatStorage, key, location, numel)}, and the element
 * type each one stands for. The legacy typed-storage names are still what torch 2.x writes
 * ({@code TypedStorage._pickle_storage_type()} in PyTorch's torch/storage.py); {@code
 * torch.UntypedStorage} counts bytes, so its tensors are uint8, as in torch/serialization.py.
 */
enum StorageType {
    FLOAT("FloatStorage", DataType.FLOAT32),
    DOUBLE("DoubleStorage", DataType.FLOAT64),
    HALF("HalfStorage", DataType.FLOAT16),
    BFLOAT16("BFloat16Storage", DataType.BFLOAT16),
    LONG("LongStorage", DataType.INT64),
    INT("IntStorage", DataType.INT32),
    SHORT("ShortStorage", DataType.INT16),
    CHAR("CharStorage", DataType.INT8),
    BYTE("ByteStorage", DataType.UINT8),
    BOOL("BoolStorage", DataType.BOOLEAN),
    UNTYPED("UntypedStorage", DataType.UINT8);

    /** The module of every storage class. */
    static final String MODULE = "torch";

    private final String className;
    private final DataType dataType;

    StorageType(String className, DataType dataType) {
        this.className = className;
        this.dataType = dataType;
    }

    /** The class name inside module {@code torch}, e.g. {@code FloatStorage}. */
    String className() {
        return className;
    }

    DataType dataType() {
        return dataType;
    }

    /** The storage class of a global {@code torch.<name>}, if it is one. */
    static Optional<StorageType> ofClass(String module, String name) {
        if (!MODULE.equals(module)) {
            return Optional.empty();
        }
        return Arrays.stream(values()).filter(t -> t.className.equals(name)).findFirst();
    }

    /** The typed storage class that holds elements of the given type. */
    static StorageType of(DataType dataType) {
        for (StorageType t : values()) {
            if (t != UNTYPED && t.dataType == dataType) {
                return t;
            }
        }
        throw new IllegalArgumentException("data type " + dataType + " has no torch storage; supported: "
                + supportedDataTypes());
    }

    static String supportedDataTypes() {
        return Arrays.stream(values()).filter(t -> t != UNTYPED).map(t -> t.dataType.toString())
                .collect(Collectors.joining(", "));
    }

    static String supportedClasses() {
        return Arrays.stream(values()).map(t -> MODULE + "." + t.className).collect(Collectors.joining(", "));
    }
}
