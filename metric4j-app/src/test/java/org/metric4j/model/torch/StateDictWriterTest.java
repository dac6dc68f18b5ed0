package org.metric4j.model.torch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.metric4j.support.Requirements;

class StateDictWriterTest {

    @TempDir
    Path tmp;

    /** One tensor of every supported dtype, including 0-d and empty ones, with seeded values. */
    static StateDict mixed() {
        Random random = new Random(42);
        StateDict sd = new StateDict();
        sd.put("f32", tensor(DataType.FLOAT32, new Shape(2, 3), random));
        sd.put("f64", tensor(DataType.FLOAT64, new Shape(4), random));
        sd.put("f16", tensor(DataType.FLOAT16, new Shape(3, 1, 2), random));
        sd.put("bf16", tensor(DataType.BFLOAT16, new Shape(5), random));
        sd.put("i64", tensor(DataType.INT64, new Shape(2, 2), random));
        sd.put("i32", tensor(DataType.INT32, new Shape(3), random));
        sd.put("i16", tensor(DataType.INT16, new Shape(3), random));
        sd.put("i8", tensor(DataType.INT8, new Shape(4), random));
        sd.put("u8", tensor(DataType.UINT8, new Shape(4), random));
        sd.put("flags", TorchTensor.of(DataType.BOOLEAN, new Shape(3), new byte[] {1, 0, 1}));
        sd.put("empty", TorchTensor.of(DataType.FLOAT32, new Shape(0, 3), new byte[0]));
        sd.put("f32_scalar", tensor(DataType.FLOAT32, new Shape(), random));
        sd.put("bn.num_batches_tracked", TorchTensor.scalar(1L << 40));
        return sd;
    }

    /** Finite values: float32/64 and bfloat16 from a normal distribution, finite normal halves, integers from all bytes. */
    static TorchTensor tensor(DataType type, Shape shape, Random random) {
        ByteBuffer b = ByteBuffer.allocate((int) shape.size() * type.getNumOfBytes()).order(ByteOrder.LITTLE_ENDIAN);
        for (long i = 0; i < shape.size(); i++) {
            float g = (float) random.nextGaussian();
            switch (type) {
                case FLOAT32 -> b.putFloat(g);
                case FLOAT64 -> b.putDouble(random.nextGaussian());
                case FLOAT16 -> b.putShort((short) (random.nextInt(2) << 15 | (1 + random.nextInt(29)) << 10
                        | random.nextInt(1 << 10))); // a finite normal half
                case BFLOAT16 -> b.putShort((short) (Float.floatToIntBits(g) >>> 16));
                default -> {
                    byte[] raw = new byte[type.getNumOfBytes()];
                    random.nextBytes(raw);
                    b.put(raw);
                }
            }
        }
        return TorchTensor.of(type, shape, b.array());
    }

    @Test
    void roundTripGivesIdenticalTensors() throws IOException {
        StateDict sd = mixed();
        Path file = tmp.resolve("mixed.pth");

        StateDictWriter.write(sd, file);
        StateDict back = StateDictReader.create().read(file);

        assertEquals(sd.keys(), back.keys());
        for (String key : sd.keys()) {
            assertEquals(sd.get(key).dataType(), back.get(key).dataType(), key);
            assertEquals(sd.get(key).shape(), back.get(key).shape(), key);
            assertArrayEquals(sd.get(key).bytes(), back.get(key).bytes(), key);
        }
        assertEquals(1L << 40, back.get("bn.num_batches_tracked").longValue());
    }

    @Test
    void roundTripOfAnInsightFaceBackbone() throws IOException {
        StateDict sd = StateDictReader.create().read(TorchFixtures.resource("insightface/backbones/mbf.pth"));
        Path file = tmp.resolve("mbf.pth");

        StateDictWriter.write(sd, file);

        assertEquals(sd, StateDictReader.create().read(file));
        TorchFixtures.assertMatches(TorchFixtures.json("insightface/backbones/mbf.json").getAsJsonArray("state_dict"),
                StateDictReader.create().read(file), "mbf written by metric4j");
    }

    @Test
    void layoutIsTorchSavesWithEveryEntry64ByteAligned() throws IOException {
        Path file = tmp.resolve("weights.v2.pth");
        StateDictWriter.write(mixed(), file);

        List<String> names = new ArrayList<>();
        byte[] bytes = Files.readAllBytes(file);
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int at = 0;
        while (b.getInt(at) == 0x04034b50) { // local file headers, in file order
            int compressed = b.getInt(at + 18);
            int nameLength = Short.toUnsignedInt(b.getShort(at + 26));
            int extraLength = Short.toUnsignedInt(b.getShort(at + 28));
            String name = new String(bytes, at + 30, nameLength, StandardCharsets.UTF_8);
            int data = at + 30 + nameLength + extraLength;
            assertEquals(0, data % StateDictWriter.ALIGNMENT, name + " data offset " + data);
            assertEquals(0, b.getShort(at + 8), name + " is stored, not deflated");
            names.add(name);
            at = data + compressed;
        }
        List<String> expected = new ArrayList<>(List.of("weights.v2/data.pkl", "weights.v2/byteorder"));
        for (int i = 0; i < mixed().size(); i++) {
            expected.add("weights.v2/data/" + i);
        }
        expected.add("weights.v2/version");
        assertEquals(expected, names);
        try (ZipFile zip = new ZipFile(file.toFile())) {
            assertEquals("3\n", new String(zip.getInputStream(zip.getEntry("weights.v2/version")).readAllBytes(),
                    StandardCharsets.US_ASCII));
            assertEquals("little", new String(zip.getInputStream(zip.getEntry("weights.v2/byteorder"))
                    .readAllBytes(), StandardCharsets.US_ASCII));
            byte[] pickle = zip.getInputStream(zip.getEntry("weights.v2/data.pkl")).readAllBytes();
            assertArrayEquals(new byte[] {(byte) 0x80, 2}, new byte[] {pickle[0], pickle[1]}, "pickle protocol 2");
            assertEquals('.', pickle[pickle.length - 1], "STOP");
        }
    }

    @Test
    void realPyTorchLoadsItWithWeightsOnly() throws Exception {
        Path python = Requirements.pythonTorch();
        StateDict sd = mixed();
        Path file = tmp.resolve("mixed.pth");
        StateDictWriter.write(sd, file);

        JsonArray described = describeWithTorch(python, file, false);

        TorchFixtures.assertMatches(described, sd, "torch.load(weights_only=True)");
        assertEquals(sd.size(), described.size());
    }

    @Test
    void realPyTorchLoadsItStrictlyIntoAModule() throws Exception {
        Path python = Requirements.pythonTorch();
        Random random = new Random(3);
        StateDict sd = new StateDict();
        sd.put("fc.weight", tensor(DataType.FLOAT32, new Shape(2, 3), random));
        sd.put("fc.bias", tensor(DataType.FLOAT32, new Shape(2), random));
        sd.put("bn.weight", tensor(DataType.FLOAT32, new Shape(2), random));
        sd.put("bn.bias", tensor(DataType.FLOAT32, new Shape(2), random));
        sd.put("bn.running_mean", tensor(DataType.FLOAT32, new Shape(2), random));
        sd.put("bn.running_var", tensor(DataType.FLOAT32, new Shape(2), random));
        sd.put("bn.num_batches_tracked", TorchTensor.scalar(77));
        Path file = tmp.resolve("net.pth");
        StateDictWriter.write(sd, file);

        JsonArray described = describeWithTorch(python, file, true);

        TorchFixtures.assertMatches(described, sd, "Net.load_state_dict(strict=True)");
    }

    /** The JSON that describe_torch_load.py prints, with the sha256 check left to the caller. */
    private static JsonArray describeWithTorch(Path python, Path file, boolean intoModule) throws Exception {
        List<String> command = new ArrayList<>(List.of(python.toString(),
                TorchFixtures.resource("torch/describe_torch_load.py").toString(), file.toString()));
        if (intoModule) {
            command.add("--into-module");
        }
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "python timed out");
        assertEquals(0, p.exitValue(), "python " + command + " failed; stdout: " + out);
        JsonArray described = JsonParser.parseString(out).getAsJsonArray();
        for (var e : described) {
            JsonObject o = e.getAsJsonObject();
            assertTrue(TorchFixtures.TORCH_DTYPES.containsKey(o.get("dtype").getAsString()), o.toString());
        }
        return described;
    }
}
