package org.metric4j.model.torch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.metric4j.TestDevice;

class StateDictLoaderTest {

    private NDManager manager;

    @TempDir
    Path tmp;

    @BeforeEach
    void open() {
        manager = TestDevice.manager();
    }

    @AfterEach
    void close() {
        manager.close();
    }

    static TorchTensor f32(Shape shape, float... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            b.putFloat(v);
        }
        return TorchTensor.of(DataType.FLOAT32, shape, b.array());
    }

    static TorchTensor f64(Shape shape, double... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (double v : values) {
            b.putDouble(v);
        }
        return TorchTensor.of(DataType.FLOAT64, shape, b.array());
    }

    /** float16 bits of values that halves hold exactly: 0.5, -1.25, 3, 0.125, 1024, -0. */
    static TorchTensor f16SixValues() {
        short[] bits = {0x3800, (short) 0xbd00, 0x4200, 0x3000, 0x6400, (short) 0x8000};
        ByteBuffer b = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
        for (short s : bits) {
            b.putShort(s);
        }
        return TorchTensor.of(DataType.FLOAT16, new Shape(2, 3), b.array());
    }

    static StateDict complete() {
        return new StateDict()
                .put("fc.weight", f32(new Shape(2, 3), 1, 2, 3, 4, 5, 6))
                .put("fc.bias", f32(new Shape(2), -1, 1))
                .put("bn.running_mean", f32(new Shape(2), 0.25f, 0.75f))
                .put("bn.num_batches_tracked", TorchTensor.scalar(1003))
                .put("stats.f64", f64(new Shape(2), 0.1, -1e-300));
    }

    @Test
    void loadsValuesAndCounters() {
        TinyStatefulBlock block = new TinyStatefulBlock(manager);

        StateDictLoader.load(complete(), block);

        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, block.parameter("fc.weight").getArray().toFloatArray());
        assertArrayEquals(new float[] {-1, 1}, block.parameter("fc.bias").getArray().toFloatArray());
        assertArrayEquals(new double[] {0.1, -1e-300}, block.parameter("stats.f64").getArray().toDoubleArray());
        assertEquals(1003L, block.numBatchesTracked.get());
    }

    @Test
    void convertsFloat16Bfloat16AndFloat64ToTheParameterType() {
        TinyStatefulBlock block = new TinyStatefulBlock(manager);
        StateDict sd = complete();
        StateDict converted = new StateDict();
        for (String key : sd.keys()) {
            converted.put(key, switch (key) {
                case "fc.weight" -> f16SixValues();
                case "fc.bias" -> f64(new Shape(2), 0.1, 1e-50); // rounds to float32 0.1f, underflows to 0
                case "stats.f64" -> f32(new Shape(2), 0.1f, 2.5f);
                case "bn.running_mean" -> TorchTensor.of(DataType.BFLOAT16, new Shape(2),
                        new byte[] {(byte) 0xc0, 0x3f, 0x49, 0x40}); // 1.5, 3.140625
                default -> sd.get(key);
            });
        }

        StateDictLoader.load(converted, block);

        assertEquals(DataType.FLOAT32, block.parameter("fc.weight").getArray().getDataType());
        assertArrayEquals(new float[] {0.5f, -1.25f, 3f, 0.125f, 1024f, -0f},
                block.parameter("fc.weight").getArray().toFloatArray());
        assertArrayEquals(new float[] {0.1f, 0f}, block.parameter("fc.bias").getArray().toFloatArray());
        assertArrayEquals(new float[] {1.5f, 3.140625f}, block.parameter("bn.running_mean").getArray().toFloatArray());
        assertEquals(DataType.FLOAT64, block.parameter("stats.f64").getArray().getDataType());
        assertArrayEquals(new double[] {(double) 0.1f, 2.5}, block.parameter("stats.f64").getArray().toDoubleArray());
    }

    @Test
    void listsMissingUnexpectedAndMismatchedInOneErrorAndChangesNothing() {
        TinyStatefulBlock block = new TinyStatefulBlock(manager);
        StateDict sd = new StateDict()
                .put("fc.weight", f32(new Shape(3, 2), 1, 2, 3, 4, 5, 6))
                .put("bn.running_mean", f32(new Shape(2), 0.25f, 0.75f))
                .put("bn.num_batches_tracked", f32(new Shape(), 7))
                .put("stats.f64", TorchTensor.of(DataType.INT64, new Shape(2), new byte[16]))
                .put("head.weight", f32(new Shape(1), 1))
                .put("fc.bias_typo", f32(new Shape(2), 1, 1));

        String message = assertThrows(IllegalArgumentException.class, () -> StateDictLoader.load(sd, block))
                .getMessage();

        assertEquals("state dict does not match TinyStatefulBlock (strict load): 1 missing key [fc.bias];"
                + " 2 unexpected keys [head.weight, fc.bias_typo];"
                + " 3 mismatched entries [fc.weight: state dict float32 (3, 2), block float32 (2, 3),"
                + " bn.num_batches_tracked: state dict float32 (), block int64 (),"
                + " stats.f64: state dict int64 (2), block float64 (2)];"
                + " check that the block is built with the architecture options the weights were trained with,"
                + " and that the right --weights-key is read", message);
        assertArrayEquals(new float[2], block.parameter("bn.running_mean").getArray().toFloatArray());
        assertEquals(0L, block.numBatchesTracked.get());
    }

    @Test
    void listsTheFirstTenOfEachKindAndTheCount() {
        TinyStatefulBlock block = new TinyStatefulBlock(manager, 12);

        String message = assertThrows(IllegalArgumentException.class,
                () -> StateDictLoader.load(complete(), block)).getMessage();

        assertEquals("state dict does not match TinyStatefulBlock (strict load): 12 missing keys [extra.0, extra.1,"
                + " extra.2, extra.3, extra.4, extra.5, extra.6, extra.7, extra.8, extra.9, ... 2 more];"
                + " 0 unexpected keys; 0 mismatched entries;", message.substring(0, message.indexOf(';',
                        message.indexOf("mismatched")) + 1));
    }

    @Test
    void exportsParametersInTheirTypesAndCountersAsInt64Scalars() {
        TinyStatefulBlock block = new TinyStatefulBlock(manager);
        StateDictLoader.load(complete(), block);

        StateDict exported = StateDictLoader.stateDict(block);

        assertEquals(complete(), exported);
        assertEquals(List.of(DataType.FLOAT32, DataType.FLOAT32, DataType.FLOAT32, DataType.INT64, DataType.FLOAT64),
                exported.asMap().values().stream().map(TorchTensor::dataType).toList());
        assertEquals(new Shape(), exported.get("bn.num_batches_tracked").shape());
    }

    @Test
    void exportWriteReadLoadRestoresTheBlock() throws IOException {
        TinyStatefulBlock source = new TinyStatefulBlock(manager);
        StateDictLoader.load(complete(), source);
        Path file = tmp.resolve("tiny.pth");

        StateDictWriter.write(StateDictLoader.stateDict(source), file);
        TinyStatefulBlock target = new TinyStatefulBlock(manager);
        StateDictLoader.load(StateDictReader.create().read(file), target);

        assertEquals(StateDictLoader.stateDict(source), StateDictLoader.stateDict(target));
        assertEquals(1003L, target.numBatchesTracked.get());
    }
}
