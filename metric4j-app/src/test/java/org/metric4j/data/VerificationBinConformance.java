package org.metric4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.function.Executable;
import org.metric4j.eval.InsightFaceVerification;
import org.metric4j.io.NpyFormat;

/**
 * The checks of one {@code kind: verification_bin} fixture (insightface/README.md, section 3), for
 * InsightFaceFixtureTest and the CLI tests: each {@code .bin} file's size and SHA-256; {@link
 * VerificationBin} reads from each the JSON's images (bytes, SHA-256, decoded RGB SHA-256) and
 * issame list; {@link VerificationBin#loadBin} gives {@code load_bin}'s tensors (SHA-256 of the
 * uint8 N x 3 x H x W, plain and flipped); the embeddings file's SHA-256 and shape; and {@link
 * InsightFaceVerification} gives every number of {@code evaluate} with the README's tolerances
 * (exact; val, val_std, far 1e-12; val_thresholds 1e-9).
 */
public final class VerificationBinConformance {

    /** The bundled fixture. */
    public static final String RESOURCE = "/insightface/verification/expected.json";

    private final Path dir;
    private final JsonObject json;

    /** The checks of the fixture {@code file} whose content is {@code json}. */
    public VerificationBinConformance(Path file, JsonObject json) {
        this.dir = file.getParent();
        this.json = json;
    }

    /** The bundled fixture. */
    public static VerificationBinConformance bundled() throws Exception {
        Path file = Path.of(VerificationBinConformance.class.getResource(RESOURCE).toURI());
        return new VerificationBinConformance(file,
                JsonParser.parseString(Files.readString(file, StandardCharsets.UTF_8)).getAsJsonObject());
    }

    /** The JSON. */
    public JsonObject json() {
        return json;
    }

    /** The .bin files, in the JSON's order. */
    public List<Path> bins() {
        return json.getAsJsonObject("files").keySet().stream().map(dir::resolve).toList();
    }

    /** The embeddings file. */
    public Path embeddings() {
        return dir.resolve(json.get("embeddings_file").getAsString());
    }

    /** The checks by name, in order. */
    public Map<String, Executable> checks() {
        Map<String, Executable> c = new LinkedHashMap<>();
        for (Path bin : bins()) {
            String name = bin.getFileName().toString();
            c.put(name + " file", () -> file(bin));
            c.put(name + " images and issame", () -> content(bin));
            c.put(name + " load_bin", () -> loadBin(bin));
        }
        c.put("embeddings file", this::embeddingsFile);
        c.put("evaluate", this::evaluate);
        return c;
    }

    /** The file's size and SHA-256. */
    public void file(Path bin) throws Exception {
        JsonObject f = json.getAsJsonObject("files").getAsJsonObject(bin.getFileName().toString());
        byte[] bytes = Files.readAllBytes(bin);
        assertEquals(f.get("bytes").getAsLong(), bytes.length, bin + ": bytes");
        assertEquals(f.get("sha256").getAsString(), RecordIoConformance.sha256(bytes), bin + ": SHA-256");
    }

    /** The images' bytes, SHA-256 and decoded RGB SHA-256, and the issame list. */
    public void content(Path bin) throws Exception {
        VerificationBin set = VerificationBin.read(bin);
        assertEquals(json.get("num_images").getAsInt(), set.size(), bin + ": images");
        assertEquals(json.get("num_pairs").getAsInt(), set.pairs(), bin + ": pairs");
        assertArrayEquals(issame(), set.issame(), bin + ": issame_list");
        JsonArray sizes = json.getAsJsonArray("image_jpeg_bytes");
        JsonArray sha = json.getAsJsonArray("image_jpeg_sha256");
        JsonArray rgb = json.getAsJsonArray("image_rgb_sha256");
        for (int i = 0; i < set.size(); i++) {
            byte[] b = set.image(i);
            assertEquals(sizes.get(i).getAsInt(), b.length, bin + " image " + i + ": bytes");
            assertEquals(sha.get(i).getAsString(), RecordIoConformance.sha256(b), bin + " image " + i + ": SHA-256");
            assertEquals(rgb.get(i).getAsString(), RecordIoConformance.rgbSha256(set.decode(i)),
                    bin + " image " + i + ": RGB SHA-256");
        }
    }

    /** {@code load_bin}'s two tensors, as uint8 N x 3 x H x W, by SHA-256. */
    public void loadBin(Path bin) throws Exception {
        JsonObject lb = json.getAsJsonObject("load_bin");
        JsonArray shape = lb.getAsJsonArray("data_shape");
        JsonArray size = json.getAsJsonArray("image_size");
        int h = size.get(0).getAsInt();
        int w = size.get(1).getAsInt();
        VerificationBin set = VerificationBin.read(bin);
        assertEquals(List.of(shape.get(0).getAsInt(), shape.get(1).getAsInt(), shape.get(2).getAsInt(),
                shape.get(3).getAsInt()), List.of(set.size(), 3, h, w), bin + ": data_shape");
        assertEquals(lb.get("sha256_noflip_uint8_nchw").getAsString(),
                RecordIoConformance.sha256(set.loadBin(h, w, false)), bin + ": load_bin data");
        assertEquals(lb.get("sha256_flip_uint8_nchw").getAsString(),
                RecordIoConformance.sha256(set.loadBin(h, w, true)), bin + ": load_bin flipped data");
    }

    /** The embeddings' SHA-256 (of the C-order float32 data, numpy's {@code tobytes()}), shape and dtype. */
    public void embeddingsFile() throws Exception {
        Path p = embeddings();
        NpyFormat.Array a = read(p);
        java.nio.ByteBuffer le = java.nio.ByteBuffer.allocate(4 * a.values().length)
                .order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (double v : a.values()) {
            le.putFloat((float) v);
        }
        assertEquals(json.get("embeddings_sha256").getAsString(), RecordIoConformance.sha256(le.array()),
                p + ": SHA-256 of the float32 little-endian data");
        JsonArray shape = json.getAsJsonArray("embeddings_shape");
        assertArrayEquals(new long[] {shape.get(0).getAsLong(), shape.get(1).getAsLong()}, a.shape(), p + ": shape");
        assertEquals("<f4", a.descr(), p + ": dtype " + json.get("embeddings_dtype").getAsString());
    }

    /** Every number of {@code evaluate}, from the embeddings and the issame list. */
    public void evaluate() throws Exception {
        NpyFormat.Array a = read(embeddings());
        InsightFaceVerification.Report r = InsightFaceVerification.builder().build()
                .evaluate(a.values(), (int) a.shape()[1], issame());
        check(json.getAsJsonObject("evaluate"), r);
    }

    /** Asserts a report against the fixture's {@code evaluate} object with the README's tolerances. */
    public static void check(JsonObject e, InsightFaceVerification.Report r) {
        JsonArray folds = e.getAsJsonArray("test_fold_ranges");
        assertEquals(folds.size(), r.testFolds().length, "folds");
        for (int f = 0; f < folds.size(); f++) {
            assertArrayEquals(new int[] {folds.get(f).getAsJsonArray().get(0).getAsInt(),
                    folds.get(f).getAsJsonArray().get(1).getAsInt()}, r.testFolds()[f], "test fold " + f);
        }
        assertArrayEquals(doubles(e, "tpr"), r.tpr(), "tpr");
        assertArrayEquals(doubles(e, "fpr"), r.fpr(), "fpr");
        assertArrayEquals(doubles(e, "accuracy"), r.accuracy(), "accuracy");
        assertEquals(e.get("accuracy_mean").getAsDouble(), r.accuracyMean(), "accuracy_mean");
        assertEquals(e.get("accuracy_std").getAsDouble(), r.accuracyStd(), "accuracy_std");
        assertArrayEquals(doubles(e, "best_thresholds"), r.bestThresholds(), "best_thresholds");
        assertEquals(e.get("val").getAsDouble(), r.val(), 1e-12, "val");
        assertEquals(e.get("val_std").getAsDouble(), r.valStd(), 1e-12, "val_std");
        assertEquals(e.get("far").getAsDouble(), r.far(), 1e-12, "far");
        assertArrayEquals(doubles(e, "val_thresholds"), r.valThresholds(), 1e-9, "val_thresholds");
    }

    /** The fixture's issame list. */
    public boolean[] issame() {
        JsonArray a = json.getAsJsonArray("issame_list");
        boolean[] out = new boolean[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).getAsBoolean();
        }
        return out;
    }

    private static double[] doubles(JsonObject o, String key) {
        JsonArray a = o.getAsJsonArray(key);
        double[] out = new double[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).getAsDouble();
        }
        return out;
    }

    private static NpyFormat.Array read(Path p) throws Exception {
        try (InputStream in = new java.io.BufferedInputStream(Files.newInputStream(p))) {
            return NpyFormat.read(in, p.toString());
        }
    }
}
