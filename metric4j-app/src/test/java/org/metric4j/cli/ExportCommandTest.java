package org.metric4j.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.metric4j.model.ModelFixtures;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.metric4j.TestDevice;
import org.metric4j.model.torch.StateDict;
import org.metric4j.model.torch.StateDictLoader;
import org.metric4j.model.torch.StateDictReader;
import org.metric4j.model.torch.TorchStateful;
import org.metric4j.model.torch.TorchTensor;
import org.metric4j.support.Requirements;
import org.metric4j.train.Components;

/**
 * {@code export --model RUN/model --format pth}: InsightFace's weights go through a model
 * directory and come back byte for byte (sha256 per key equal to the fixture's); a backbone
 * trained by metric4j exports a file that real PyTorch reads with InsightFace's keys, shapes and
 * dtypes and the values Java wrote, and that {@code embed --weights} turns back into the run's own
 * embeddings. Backbones without PyTorch keys and existing files without --force are one line, exit 2.
 */
class ExportCommandTest {

    /** The iResNet of the fixture, trained briefly by {@code train} in {@link #trainOnce}. */
    static final String IRESNET = "iresnet:layers=1-1-1-1,dim=64";

    static final String DATASET = "synthetic-faces:identities=4,images=4,size=112,eval-identities=3,eval-images=2,pairs=6";

    @TempDir static Path shared;

    static Path run;

    @BeforeAll
    static void trainOnce() {
        run = shared.resolve("run");
        CliRun r = CliRun.of("train", "--dataset", DATASET, "--backbone", IRESNET, "--loss", "arcface",
                "--optimizer", "adam", "--lr", "constant:lr=0.001", "--batch-size", "8", "--epochs", "1",
                "--output", run.toString(), "--no-progress", "--device", TestDevice.name());
        assertEquals(0, r.code(), r.err());
    }

    static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    /** A model directory as 'train' writes it, holding the fixture's weights. */
    static Path modelOf(BackboneFixture fx, Path dir) throws Exception {
        return modelDir(fx.spec(), StateDictReader.create().read(fx.pth()), dir);
    }

    /** A model directory with backbone.json and backbone.params of the spec, with these weights (or its initial ones). */
    static Path modelDir(String spec, StateDict sd, Path dir) throws Exception {
        Files.createDirectories(dir);
        Block block = Components.BACKBONES.create(spec, null);
        int size = spec.startsWith("lenetpp") ? 28 : 112;
        int channels = spec.startsWith("lenetpp") ? 1 : 3;
        try (NDManager manager = NDManager.newBaseManager()) {
            block.initialize(manager, DataType.FLOAT32, new Shape(1, channels, size, size));
            if (sd != null) {
                StateDictLoader.load(sd, (TorchStateful) block);
            }
            try (DataOutputStream os = new DataOutputStream(Files.newOutputStream(dir.resolve("backbone.params")))) {
                block.saveParameters(os);
            }
        }
        Files.writeString(dir.resolve("backbone.json"), "{\"backbone\": \"" + spec + "\", \"input\": [" + channels + ", "
                + size + ", " + size + "], \"dataset\": \"" + DATASET + "\"}");
        return dir;
    }

    @ParameterizedTest
    @ValueSource(strings = {"iresnet_1111_nf64", "mbf"})
    void fixtureWeightsComeBackByteForByte(String name, @TempDir Path dir) throws Exception {
        BackboneFixture fx = new BackboneFixture(name);
        Path model = modelOf(fx, dir.resolve("model"));
        Path out = dir.resolve("backbone.pth");
        CliRun r = CliRun.of("export", "--model", model.toString(), "--format", "pth", "--output", out.toString());
        assertEquals(0, r.code(), r.err());
        JsonArray expected = fx.stateDict();
        assertEquals("wrote " + expected.size() + " tensors (" + fx.json.get("num_state_dict_elements").getAsLong()
                + " elements) of " + fx.spec() + " to " + out, r.out().strip());
        StateDict back = StateDictReader.create().read(out);
        List<String> keys = back.keys();
        assertEquals(expected.size(), keys.size(), name + ": entries");
        for (int i = 0; i < expected.size(); i++) {
            JsonObject e = expected.get(i).getAsJsonObject();
            String key = e.get("key").getAsString();
            assertEquals(key, keys.get(i), name + ": key #" + i);
            TorchTensor t = back.get(key);
            assertEquals(e.get("shape").toString(), java.util.Arrays.toString(t.shape().getShape()).replace(" ", ""),
                    name + ": shape of " + key);
            assertEquals(e.get("dtype").getAsString(), t.dataType() == DataType.INT64 ? "int64"
                    : t.dataType() == DataType.FLOAT32 ? "float32" : t.dataType().toString(), name + ": dtype of " + key);
            assertEquals(e.get("sha256").getAsString(), sha256(t.bytes()), name + ": sha256 of " + key);
        }
    }

    @Test
    void aTrainedIResNetIsReadByRealPyTorchWithInsightFacesKeysAndJavasValues(@TempDir Path dir) throws Exception {
        Path python = Requirements.pythonTorch();
        Path out = dir.resolve("trained.pth");
        CliRun r = CliRun.of("export", "--model", run.resolve("model").toString(), "--format", "pth",
                "--output", out.toString());
        assertEquals(0, r.code(), r.err());
        JsonArray described = describeWithTorch(python, out);
        JsonArray fixture = new BackboneFixture("iresnet_1111_nf64").stateDict(); // the same arch
        Map<String, String> java = trainedShas();
        assertEquals(fixture.size(), described.size(), "entries");
        for (int i = 0; i < fixture.size(); i++) {
            JsonObject f = fixture.get(i).getAsJsonObject();
            JsonObject d = described.get(i).getAsJsonObject();
            String key = f.get("key").getAsString();
            assertEquals(key, d.get("key").getAsString(), "key #" + i);
            assertEquals(f.get("shape"), d.get("shape"), "shape of " + key);
            assertEquals(f.get("dtype"), d.get("dtype"), "dtype of " + key);
            assertEquals(java.get(key), d.get("sha256").getAsString(), "sha256 of " + key + ": torch vs Java");
        }
        // trained: BatchNorm counted the training batches, and the count survived backbone.params
        JsonObject bn1 = described.get(5).getAsJsonObject();
        assertEquals("bn1.num_batches_tracked", bn1.get("key").getAsString());
        assertEquals(2, bn1.get("value").getAsLong(), "2 training batches of 8 (16 images)");
    }

    /** sha256 per key of the trained backbone's state dict, from its backbone.params. */
    private static Map<String, String> trainedShas() throws Exception {
        Block block = Components.BACKBONES.create(IRESNET, null);
        Map<String, String> out = new TreeMap<>();
        try (NDManager manager = NDManager.newBaseManager()) {
            block.initialize(manager, DataType.FLOAT32, new Shape(1, 3, 112, 112));
            try (DataInputStream in = new DataInputStream(Files.newInputStream(run.resolve("model/backbone.params")))) {
                block.loadParameters(manager, in);
            }
            StateDict sd = StateDictLoader.stateDict((TorchStateful) block);
            for (String k : sd.keys()) {
                out.put(k, sha256(sd.get(k).bytes()));
            }
        }
        return out;
    }

    /** torch.load(FILE, weights_only=True) described as key, shape, dtype, sha256 and 0-d value, in order. */
    private static JsonArray describeWithTorch(Path python, Path file) throws Exception {
        String script = String.join("\n",
                "import hashlib, json, sys, torch",
                "sd = torch.load(sys.argv[1], weights_only=True)",
                "print(json.dumps([{'key': k, 'shape': list(t.shape), 'dtype': str(t.dtype).replace('torch.', ''),",
                "    'sha256': hashlib.sha256(t.contiguous().numpy().tobytes()).hexdigest(),",
                "    'value': t.item() if t.dim() == 0 else None} for k, t in sd.items()]))");
        Process p = new ProcessBuilder(python.toString(), "-c", script, file.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "python timed out");
        assertEquals(0, p.exitValue(), "python failed; stdout: " + out);
        return JsonParser.parseString(out).getAsJsonArray();
    }

    @Test
    void theExportedFileEmbedsLikeTheRun(@TempDir Path dir) throws Exception {
        Path pth = dir.resolve("trained.pth");
        assertEquals(0, CliRun.of("export", "--model", run.resolve("model").toString(), "--output", pth.toString()).code());
        Path own = dir.resolve("own.npy");
        Path reloaded = dir.resolve("reloaded.npy");
        CliRun a = CliRun.of("embed", "--model", run.resolve("model").toString(), "--output", own.toString(),
                "--device", TestDevice.name());
        assertEquals(0, a.code(), a.err());
        CliRun b = CliRun.of("embed", "--backbone", IRESNET, "--weights", pth.toString(), "--dataset", DATASET,
                "--output", reloaded.toString(), "--device", TestDevice.name());
        assertEquals(0, b.code(), b.err());
        double[][] x = BackboneFixture.readRows(own);
        double[][] y = BackboneFixture.readRows(reloaded);
        assertEquals(6, x.length, "3 unseen identities x 2 images");
        double error = ModelFixtures.relativeError(x, y);
        assertTrue(error <= 1e-6, "relative error " + error);
        assertArrayEquals(x[0], y[0], 1e-6 * Math.abs(x[0][0]) + 1e-9);
    }

    @Test
    void aBackboneWithoutPyTorchKeysIsRefused(@TempDir Path dir) throws Exception {
        Path model = modelDir("lenetpp:dim=8", null, dir.resolve("model"));
        Path out = dir.resolve("x.pth");
        CliRun r = CliRun.of("export", "--model", model.toString(), "--format", "pth", "--output", out.toString());
        assertEquals(2, r.code());
        assertEquals("metric4j export: error: --format pth needs a backbone with PyTorch state-dict keys (iresnet, "
                + "mobilefacenet, mobilefacenet-large), got --backbone lenetpp:dim=8", r.err().strip());
        assertTrue(Files.notExists(out));
    }

    @Test
    void anExistingFileNeedsForce(@TempDir Path dir) throws Exception {
        Path model = modelOf(new BackboneFixture("mbf"), dir.resolve("model"));
        Path out = Files.writeString(dir.resolve("x.pth"), "keep me");
        CliRun r = CliRun.of("export", "--model", model.toString(), "--output", out.toString());
        assertEquals(2, r.code());
        assertEquals("metric4j export: error: --output " + out + " exists; give --force to overwrite it", r.err().strip());
        assertEquals("keep me", Files.readString(out));
        CliRun bad = CliRun.of("export", "--model", model.toString(), "--format", "onnx", "--output", out.toString(),
                "--force");
        assertEquals(2, bad.code());
        assertEquals("metric4j export: error: --format onnx: expected pth", bad.err().strip());
        assertEquals("keep me", Files.readString(out));
        CliRun forced = CliRun.of("export", "--model", model.toString(), "--output", out.toString(), "--force");
        assertEquals(0, forced.code(), forced.err());
        assertEquals(new BackboneFixture("mbf").stateDict().size(), StateDictReader.create().read(out).size());
        assertNotEquals("keep me", Files.readString(out, StandardCharsets.ISO_8859_1));
    }
}
