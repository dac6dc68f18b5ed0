package org.metric4j.model.torch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Objects;

/**
 * One value of a PyTorch state dict: a dense tensor in C order (row-major, the layout of
 * {@code t.contiguous()}) with its elements as little-endian bytes, the byte order of the
 * storages in a {@code torch.save} archive (PyTorch's torch/serialization.py). Views, offsets and
 * strides of the file are resolved when it is read, so a tensor owns exactly {@code size()}
 * elements. Immutable.
 */
public final class TorchTensor {

    private final DataType dataType;
    private final Shape shape;
    private final byte[] data;

    private TorchTensor(DataType dataType, Shape shape, byte[] data) {
        this.dataType = dataType;
        this.shape = shape;
        this.data = data;
    }

    /**
     * A tensor over a copy of the given bytes.
     *
     * @param dataType one of the types {@link StorageType} maps (float32, float64, float16,
     *     bfloat16, int64, int32, int16, int8, uint8, boolean)
     * @param shape the shape; {@code new Shape()} for a 0-d tensor
     * @param littleEndian {@code shape.size() * dataType.getNumOfBytes()} bytes in C order
     */
    public static TorchTensor of(DataType dataType, Shape shape, byte[] littleEndian) {
        return wrap(dataType, shape, littleEndian.clone());
    }

    /** An int64 0-d tensor, the type of BatchNorm's {@code num_batches_tracked}. */
    public static TorchTensor scalar(long value) {
        return wrap(DataType.INT64, new Shape(), ByteBuffer.allocate(Long.BYTES).order(ByteOrder.LITTLE_ENDIAN)
                .putLong(value).array());
    }

    /** A tensor with the array's data type, shape and values (copied). */
    public static TorchTensor from(NDArray array) {
        ByteBuffer buffer = array.toByteBuffer();
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
            swap(bytes, array.getDataType().getNumOfBytes());
        }
        return wrap(array.getDataType(), array.getShape(), bytes);
    }

    static TorchTensor wrap(DataType dataType, Shape shape, byte[] littleEndian) {
        Objects.requireNonNull(dataType, "dataType");
        Objects.requireNonNull(shape, "shape");
        StorageType.of(dataType); // rejects a type that no torch storage holds
        if (Arrays.stream(shape.getShape()).anyMatch(d -> d < 0)) {
            throw new IllegalArgumentException("shape " + shape + " has unknown dimensions; a tensor needs a known shape");
        }
        long expected = shape.size() * dataType.getNumOfBytes();
        if (littleEndian.length != expected) {
            throw new IllegalArgumentException("a " + dataType + " tensor of shape " + shape + " needs " + expected
                    + " bytes, got " + littleEndian.length);
        }
        return new TorchTensor(dataType, shape, littleEndian);
    }

    public DataType dataType() {
        return dataType;
    }

    public Shape shape() {
        return shape;
    }

    /** The number of elements (1 for a 0-d tensor). */
    public long size() {
        return shape.size();
    }

    /** A copy of the elements: C order, little-endian. */
    public byte[] bytes() {
        return data.clone();
    }

    /** A read-only little-endian view of the elements. */
    public ByteBuffer buffer() {
        return ByteBuffer.wrap(data).asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }

    /** The value of a one-element integer tensor, such as a {@code num_batches_tracked} counter. */
    public long longValue() {
        if (size() != 1 || !(dataType.isInteger() || dataType.isBoolean())) {
            throw new IllegalStateException("longValue() needs a one-element integer tensor, this is " + this);
        }
        ByteBuffer b = buffer();
        return switch (dataType) {
            case INT64 -> b.getLong();
            case INT32 -> b.getInt();
            case INT16 -> b.getShort();
            case INT8 -> b.get();
            case UINT8, BOOLEAN -> b.get() & 0xff;
            default -> throw new IllegalStateException("longValue() does not support " + dataType);
        };
    }

    /**
     * An array on the manager with this tensor's shape and values, and its type except for
     * bfloat16, which becomes float32 (exactly: a bfloat16 is the upper half of a float32). DJL
     * 0.35.1's PyTorch engine aborts the JVM ("terminate called without an active exception") on
     * any bfloat16 array, whether created from a buffer or by {@code toType}.
     */
    public NDArray toNDArray(NDManager manager) {
        DataType type = dataType;
        byte[] bytes = data;
        if (dataType == DataType.BFLOAT16) {
            type = DataType.FLOAT32;
            bytes = new byte[data.length * 2];
            for (int i = 0, j = 0; i < data.length; i += 2, j += 4) {
                bytes[j + 2] = data[i];
                bytes[j + 3] = data[i + 1];
            }
        }
        if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
            bytes = bytes == data ? data.clone() : bytes;
            swap(bytes, type.getNumOfBytes());
        }
        ByteBuffer direct = ByteBuffer.allocateDirect(bytes.length).order(ByteOrder.nativeOrder());
        direct.put(bytes).flip();
        return manager.create(direct, shape, type);
    }

    /** Reverses the bytes of each element of the given width, in place. */
    static void swap(byte[] bytes, int width) {
        for (int at = 0; at < bytes.length; at += width) {
            for (int i = 0, j = width - 1; i < j; i++, j--) {
                byte t = bytes[at + i];
                bytes[at + i] = bytes[at + j];
                bytes[at + j] = t;
            }
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TorchTensor t && dataType == t.dataType && shape.equals(t.shape)
                && Arrays.equals(data, t.data);
    }

    @Override
    public int hashCode() {
        return Objects.hash(dataType, shape, Arrays.hashCode(data));
    }

    @Override
    public String toString() {
        return "TorchTensor(" + dataType + ", " + shape + ")";
    }
}
