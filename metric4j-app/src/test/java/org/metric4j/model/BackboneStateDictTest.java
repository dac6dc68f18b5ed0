package org.metric4j.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.metric4j.TestDevice;
import org.metric4j.model.torch.StateEntry;

/**
 * The backbones' state-dict entries equal, key by key and in order, the {@code state_dict()} that
 * InsightFace's own constructors produced in the fixtures (the fixture's {@code arch} gives the
 * constructor): keys, shapes, dtypes, entry and element counts, parameter and trainable counts;
 * and every DJL parameter of the block appears in exactly one entry.
 */
class BackboneStateDictTest {

    static JsonObject fixture(String name) throws Exception {
        Path path = Path.of(BackboneStateDictTest.class.getResource("/insightface/backbones/" + name + ".json").toURI());
        return JsonParser.parseString(Files.readString(path, StandardCharsets.UTF_8)).getAsJsonObject();
    }

    /** The fixture's {@code arch} object as a spec, through the plain-value factory. */
    static BackboneSpec specOf(JsonObject arch) {
        String type = arch.get("type").getAsString();
        JsonArray counts = arch.has("layers") ? arch.getAsJsonArray("layers") : arch.getAsJsonArray("blocks");
        List<Integer> c = new ArrayList<>();
        counts.forEach(e -> c.add(e.getAsInt()));
        Integer scale = arch.has("scale") ? arch.get("scale").getAsInt() : null;
        Double dropout = arch.has("dropout") ? arch.get("dropout").getAsDouble() : null;
        return BackboneSpec.fromArch(type, c, scale, arch.get("num_features").getAsInt(), dropout);
    }

    @ParameterizedTest
    @ValueSource(strings = {"mbf", "iresnet_1111_nf64"})
    void entriesEqualInsightFacesStateDict(String name) throws Exception {
        JsonObject fx = fixture(name);
        BackboneSpec spec = specOf(fx.getAsJsonObject("arch"));
        try (NDManager manager = TestDevice.manager()) {
            TorchBackbone block = spec.build();
            block.initialize(manager, DataType.FLOAT32, new Shape(1, 3, 112, 112));
            List<StateEntry> entries = block.stateEntries();
            JsonArray expected = fx.getAsJsonArray("state_dict");
            assertEquals(fx.get("num_state_dict_entries").getAsInt(), expected.size(), name);
            assertEquals(expected.size(), entries.size(), name + ": number of entries");
            long elements = 0;
            long parameters = 0;
            long trainable = 0;
            for (int i = 0; i < entries.size(); i++) {
                JsonObject want = expected.get(i).getAsJsonObject();
                StateEntry got = entries.get(i);
                String where = name + " entry " + i + " (" + want.get("key").getAsString() + ")";
                assertEquals(want.get("key").getAsString(), got.key(), where + ": key");
                assertEquals(shape(want.getAsJsonArray("shape")), got.shape(), where + ": shape");
                DataType dtype = want.get("dtype").getAsString().equals("int64") ? DataType.INT64 : DataType.FLOAT32;
                assertEquals(dtype, got.dataType(), where + ": dtype");
                long n = got.shape().size();
                elements += n;
                if (!got.isCounter() && !got.key().endsWith(".running_mean") && !got.key().endsWith(".running_var")) {
                    parameters += n;
                    if (got.parameter().requiresGradient()) {
                        trainable += n;
                    }
                }
            }
            assertEquals(fx.get("num_state_dict_elements").getAsLong(), elements, name + ": state dict elements");
            assertEquals(fx.get("num_parameters").getAsLong(), parameters, name + ": parameters");
            assertEquals(fx.get("num_trainable_parameters").getAsLong(), trainable, name + ": trainable parameters");

            Map<Parameter, Integer> seen = new IdentityHashMap<>();
            for (StateEntry e : entries) {
                if (!e.isCounter()) {
                    seen.merge(e.parameter(), 1, Integer::sum);
                }
            }
            var all = block.getParameters();
            assertEquals(all.size(), seen.size(), name + ": DJL parameters vs. parameter entries");
            for (var p : all.values()) {
                assertEquals(1, seen.getOrDefault(p, 0), name + ": DJL parameter " + p.getName() + " entries");
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"mbf", "iresnet_1111_nf64"})
    void theFixturesArchIsTheCanonicalSpec(String name) throws Exception {
        BackboneSpec spec = specOf(fixture(name).getAsJsonObject("arch"));
        String expected = name.equals("mbf") ? "mobilefacenet:dim=512" : "iresnet:layers=1-1-1-1,dim=64";
        assertEquals(expected, spec.toString());
        assertEquals(spec, BackboneSpec.parse(expected));
    }

    @org.junit.jupiter.api.Test
    void theCountersAreTheBlocksOwn() throws Exception {
        try (NDManager manager = TestDevice.manager()) {
            TorchBackbone block = BackboneSpec.parse("iresnet:layers=1-1-1-1,dim=8").build();
            block.initialize(manager, DataType.FLOAT32, new Shape(1, 3, 112, 112));
            List<StateEntry> a = block.stateEntries();
            List<StateEntry> b = block.stateEntries();
            for (int i = 0; i < a.size(); i++) {
                if (a.get(i).isCounter()) {
                    assertSame(a.get(i).count(), b.get(i).count(), a.get(i).key());
                }
            }
        }
    }

    private static Shape shape(JsonArray dims) {
        long[] s = new long[dims.size()];
        int i = 0;
        for (JsonElement d : dims) {
            s[i++] = d.getAsLong();
        }
        return new Shape(s);
    }
}
