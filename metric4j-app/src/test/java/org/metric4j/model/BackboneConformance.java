package org.metric4j.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.function.Executable;
import org.metric4j.TestDevice;
import org.metric4j.model.torch.StateDict;
import org.metric4j.model.torch.StateDictLoader;
import org.metric4j.model.torch.StateDictReader;
import org.metric4j.model.torch.StateEntry;
import org.metric4j.model.torch.TorchTensor;

/**
 * The checks of one {@code kind: backbone} fixture (insightface/README.md, section 1): the block
 * built from {@code arch} has InsightFace's parameter counts and state-dict entries; the {@code
 * .pth} loads strictly and bit for bit; the eval-mode forward of {@code input.pixels_uint8}
 * (preprocessed by the JSON's {@code value_of_pixel} table) gives {@code expected.embedding} and
 * {@code flip_sum} in float32 and {@code embedding_float64} in float64; the TorchScript and ONNX
 * files it lists give {@code expected.embedding} through {@link TorchScriptEmbedder} and {@link
 * OnnxEmbedder}.
 */
final class BackboneConformance {

    /** float32: |ours - expected| <= this x max|expected| per row (README). */
    static final double TOL32 = 1e-4;
    /** float64 against embedding_float64, relative (README). */
    static final double TOL64 = 1e-9;
    /** TorchScript against expected.embedding, relative (README). */
    static final double TOL_TORCHSCRIPT = 1e-5;
    /** ONNX Runtime against expected.embedding, relative; see OnnxEmbedderTest for why not 2.6e-6. */
    static final double TOL_ONNX = 4e-6;

    private final Path dir;
    private final JsonObject json;
    private final int n;
    private StateDict stateDict;
    private float[] tensor;

    BackboneConformance(Path file, JsonObject json) {
        this.dir = file.getParent();
        this.json = json;
        this.n = input().getAsJsonArray("pixels_uint8").size();
    }

    /** The checks by name, those of the files the JSON lists included. */
    Map<String, Executable> checks() {
        Map<String, Executable> c = new LinkedHashMap<>();
        c.put("architecture " + spec(), this::architecture);
        c.put("input tensor", this::inputTensor);
        c.put("strict load of " + json.get("weights_file").getAsString(), this::strictLoad);
        c.put("float32 forward", this::float32Forward);
        c.put("float64 forward", this::float64Forward);
        JsonElement ts = json.get("torchscript_file");
        if (ts != null && !ts.isJsonNull()) {
            c.put("torchscript " + ts.getAsString(), () -> torchScript(ts.getAsString()));
        }
        for (String onnx : onnxFiles()) {
            c.put("onnx " + onnx, () -> onnx(onnx));
        }
        return c;
    }

    private BackboneSpec spec() {
        return BackboneStateDictTest.specOf(json.getAsJsonObject("arch"));
    }

    private void architecture() {
        try (NDManager manager = TestDevice.manager()) {
            TorchBackbone block = spec().build();
            block.initialize(manager, DataType.FLOAT32, new Shape(1, 3, 112, 112));
            List<StateEntry> entries = block.stateEntries();
            JsonArray expected = json.getAsJsonArray("state_dict");
            assertEquals(json.get("num_state_dict_entries").getAsInt(), entries.size(), "state dict entries");
            assertEquals(expected.size(), entries.size(), "state dict entries listed");
            long elements = 0;
            long parameters = 0;
            long trainable = 0;
            for (int i = 0; i < entries.size(); i++) {
                JsonObject want = expected.get(i).getAsJsonObject();
                StateEntry got = entries.get(i);
                String where = "entry " + i + " (" + want.get("key").getAsString() + ")";
                assertEquals(want.get("key").getAsString(), got.key(), where + ": key");
                assertEquals(shape(want.getAsJsonArray("shape")), got.shape(), where + ": shape");
                assertEquals(dtype(want.get("dtype").getAsString()), got.dataType(), where + ": dtype");
                long size = got.shape().size();
                elements += size;
                boolean buffer = got.isCounter() || got.key().endsWith(".running_mean")
                        || got.key().endsWith(".running_var");
                if (!buffer) {
                    parameters += size;
                    trainable += got.parameter().requiresGradient() ? size : 0;
                }
            }
            assertEquals(json.get("num_state_dict_elements").getAsLong(), elements, "state dict elements");
            assertEquals(json.get("num_parameters").getAsLong(), parameters, "parameters");
            assertEquals(json.get("num_trainable_parameters").getAsLong(), trainable, "trainable parameters");
        }
    }

    private void inputTensor() throws Exception {
        float[] t = tensor();
        ByteBuffer b = ByteBuffer.allocate(t.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(t);
        assertEquals(input().get("tensor_sha256_float32_le").getAsString(), sha256(b.array()),
                "SHA-256 of value_of_pixel[pixels_uint8]");
    }

    private void strictLoad() throws Exception {
        try (NDManager manager = TestDevice.manager()) {
            TorchBackbone block = loaded(manager, DataType.FLOAT32);
            JsonArray expected = json.getAsJsonArray("state_dict");
            List<StateEntry> entries = block.stateEntries();
            for (int i = 0; i < entries.size(); i++) {
                StateEntry e = entries.get(i);
                JsonObject want = expected.get(i).getAsJsonObject();
                TorchTensor t = e.isCounter() ? TorchTensor.scalar(e.count().get())
                        : TorchTensor.from(e.parameter().getArray());
                assertEquals(want.get("sha256").getAsString(), sha256(t.bytes()), e.key() + ": SHA-256 after load");
                if (want.has("value")) {
                    assertEquals(want.get("value").getAsLong(), e.count().get(), e.key());
                }
            }
        }
    }

    private void float32Forward() throws Exception {
        try (NDManager manager = TestDevice.manager()) {
            TorchBackbone block = loaded(manager, DataType.FLOAT32);
            NDArray x = manager.create(tensor(), new Shape(n, 3, 112, 112));
            NDArray y = forward(block, manager, x);
            NDArray flipSum = y.add(forward(block, manager, x.flip(3)));
            double e = relativeError(expected("expected", "embedding"), y);
            assertTrue(e <= TOL32, "embedding: " + e + " x max|expected| > " + TOL32);
            double f = relativeError(expected("expected", "flip_sum"), flipSum);
            assertTrue(f <= TOL32, "flip_sum: " + f + " x max|expected| > " + TOL32);
            System.out.printf("%s float32: embedding %.3g, flip_sum %.3g%n", json.get("name").getAsString(), e, f);
        }
    }

    private void float64Forward() throws Exception {
        try (NDManager manager = TestDevice.manager()) {
            TorchBackbone block = loaded(manager, DataType.FLOAT64);
            double[] t = new double[tensor().length];
            for (int i = 0; i < t.length; i++) {
                t[i] = tensor[i];
            }
            NDArray y = forward(block, manager, manager.create(t, new Shape(n, 3, 112, 112)));
            assertEquals(DataType.FLOAT64, y.getDataType(), "float64 forward output");
            double e = relativeError(expected("float64_reference", "embedding_float64"), y);
            assertTrue(e <= TOL64, "embedding_float64: " + e + " x max|expected| > " + TOL64);
            System.out.printf("%s float64: %.3g%n", json.get("name").getAsString(), e);
        }
    }

    private void torchScript(String file) throws Exception {
        try (TorchScriptEmbedder ts = TorchScriptEmbedder.load(dir.resolve(file), 112, 112, TestDevice.get())) {
            double e = InsightFaceFixture.relativeError(expected("expected", "embedding"), ts.forward(tensor(), shape()));
            assertTrue(e <= TOL_TORCHSCRIPT, file + ": " + e + " > " + TOL_TORCHSCRIPT);
        }
    }

    private void onnx(String file) throws Exception {
        try (OnnxEmbedder onnx = OnnxEmbedder.load(dir.resolve(file), Preprocessing.INSIGHTFACE, Device.cpu(), 2)) {
            double e = InsightFaceFixture.relativeError(expected("expected", "embedding"), onnx.forward(tensor(), shape()));
            assertTrue(e <= TOL_ONNX, file + ": " + e + " > " + TOL_ONNX);
        }
    }

    private static NDArray forward(TorchBackbone block, NDManager manager, NDArray x) {
        return block.forward(new ParameterStore(manager, false), new NDList(x), false).head();
    }

    /** The block of {@code arch} in a dtype, with the fixture's weights loaded strictly. */
    private TorchBackbone loaded(NDManager manager, DataType dtype) throws IOException {
        TorchBackbone block = spec().build();
        block.initialize(manager, dtype, shape());
        StateDictLoader.load(stateDict(), block);
        return block;
    }

    private synchronized StateDict stateDict() throws IOException {
        if (stateDict == null) {
            stateDict = StateDictReader.create().read(dir.resolve(json.get("weights_file").getAsString()));
        }
        return stateDict;
    }

    private JsonObject input() {
        return json.getAsJsonObject("input");
    }

    private Shape shape() {
        return new Shape(n, 3, 112, 112);
    }

    /** value_of_pixel[pixels_uint8], N x 3 x 112 x 112 in C order (the JSON's preprocessing). */
    private synchronized float[] tensor() {
        if (tensor == null) {
            JsonArray table = input().getAsJsonArray("value_of_pixel");
            float[] value = new float[table.size()];
            for (int v = 0; v < value.length; v++) {
                value[v] = table.get(v).getAsFloat();
            }
            List<Float> out = new ArrayList<>();
            flatten(input().getAsJsonArray("pixels_uint8"), value, out);
            tensor = new float[out.size()];
            for (int i = 0; i < tensor.length; i++) {
                tensor[i] = out.get(i);
            }
            assertEquals(shape().size(), tensor.length, "pixels_uint8 size");
        }
        return tensor;
    }

    private static void flatten(JsonArray a, float[] value, List<Float> out) {
        for (JsonElement e : a) {
            if (e.isJsonArray()) {
                flatten(e.getAsJsonArray(), value, out);
            } else {
                out.add(value[e.getAsInt()]);
            }
        }
    }

    private double[][] expected(String section, String key) {
        return InsightFaceFixture.rows(json.getAsJsonObject(section).getAsJsonArray(key));
    }

    private List<String> onnxFiles() {
        List<String> out = new ArrayList<>();
        JsonElement e = json.get("onnx_files");
        if (e == null || e.isJsonNull()) {
            return out;
        }
        Iterable<JsonElement> values = e.isJsonArray() ? e.getAsJsonArray()
                : e.getAsJsonObject().entrySet().stream().map(Map.Entry::getValue).toList();
        for (JsonElement v : values) {
            if (v.isJsonPrimitive() && v.getAsString().endsWith(".onnx")) {
                out.add(v.getAsString());
            }
        }
        return out;
    }

    private static double relativeError(double[][] expected, NDArray actual) {
        long rows = actual.getShape().get(0);
        int width = (int) actual.getShape().get(1);
        double[] flat = actual.toType(DataType.FLOAT64, false).toDoubleArray();
        assertEquals(expected.length, rows, "output rows");
        double[][] a = new double[(int) rows][];
        for (int i = 0; i < rows; i++) {
            a[i] = java.util.Arrays.copyOfRange(flat, i * width, (i + 1) * width);
        }
        return InsightFaceFixture.relativeError(expected, a);
    }

    private static Shape shape(JsonArray dims) {
        long[] s = new long[dims.size()];
        for (int i = 0; i < s.length; i++) {
            s[i] = dims.get(i).getAsLong();
        }
        return new Shape(s);
    }

    private static DataType dtype(String name) {
        return switch (name) {
            case "float32" -> DataType.FLOAT32;
            case "float64" -> DataType.FLOAT64;
            case "int64" -> DataType.INT64;
            default -> throw new IllegalArgumentException("state dict dtype " + name + " is not one of float32,"
                    + " float64, int64");
        };
    }

    private static String sha256(byte[] bytes) throws NoSuchAlgorithmException {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
