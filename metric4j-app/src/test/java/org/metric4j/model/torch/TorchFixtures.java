package org.metric4j.model.torch;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.types.DataType;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/** Test resources of this package and the checks against their JSON descriptions. */
final class TorchFixtures {

    /** torch's dtype names (str(t.dtype) without "torch.") as DJL types. */
    static final Map<String, DataType> TORCH_DTYPES = Map.of(
            "float32", DataType.FLOAT32, "float64", DataType.FLOAT64, "float16", DataType.FLOAT16,
            "bfloat16", DataType.BFLOAT16, "int64", DataType.INT64, "int32", DataType.INT32,
            "int16", DataType.INT16, "int8", DataType.INT8, "uint8", DataType.UINT8, "bool", DataType.BOOLEAN);

    private TorchFixtures() {}

    static Path resource(String name) {
        try {
            return Path.of(TorchFixtures.class.getResource("/" + name).toURI());
        } catch (URISyntaxException | NullPointerException e) {
            throw new IllegalStateException("missing test resource " + name, e);
        }
    }

    static JsonObject json(String name) {
        try {
            return JsonParser.parseString(Files.readString(resource(name))).getAsJsonObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String torchName(DataType type) {
        return TORCH_DTYPES.entrySet().stream().filter(e -> e.getValue() == type).findFirst().orElseThrow().getKey();
    }

    /**
     * Asserts that the state dict has exactly the described entries, in order: key, shape, dtype,
     * SHA-256 of the C-order little-endian bytes and, for 0-d tensors, the value.
     */
    static void assertMatches(JsonArray described, StateDict sd, String what) {
        List<String> keys = sd.keys();
        assertEquals(described.size(), keys.size(), what + ": number of entries");
        for (int i = 0; i < described.size(); i++) {
            JsonObject e = described.get(i).getAsJsonObject();
            String key = e.get("key").getAsString();
            assertEquals(key, keys.get(i), what + ": key #" + i);
            TorchTensor t = sd.get(key);
            JsonArray shape = e.getAsJsonArray("shape");
            long[] expectedShape = new long[shape.size()];
            for (int d = 0; d < expectedShape.length; d++) {
                expectedShape[d] = shape.get(d).getAsLong();
            }
            assertEquals(new ai.djl.ndarray.types.Shape(expectedShape), t.shape(), what + ": shape of " + key);
            assertEquals(TORCH_DTYPES.get(e.get("dtype").getAsString()), t.dataType(), what + ": dtype of " + key);
            assertEquals(e.get("sha256").getAsString(), sha256(t.bytes()), what + ": sha256 of " + key);
            JsonElement value = e.get("value");
            if (value != null && !value.isJsonNull()) {
                if (t.dataType().isInteger()) {
                    assertEquals(value.getAsLong(), t.longValue(), what + ": value of " + key);
                } else if (t.dataType() == DataType.FLOAT64) {
                    assertEquals(value.getAsDouble(), t.buffer().getDouble(), 0.0, what + ": value of " + key);
                } else if (t.dataType() == DataType.FLOAT32) {
                    assertEquals(value.getAsDouble(), t.buffer().getFloat(), 0.0, what + ": value of " + key);
                }
            }
        }
    }
}
