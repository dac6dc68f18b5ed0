package org.metric4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.function.Executable;
import org.metric4j.eval.IjbVerification;
import org.metric4j.eval.TemplatePooling;
import org.metric4j.io.NpyFormat;
import org.metric4j.report.PrettyTable;

/**
 * The checks of one {@code kind: ijb} fixture (insightface/README.md, section 4): the meta files'
 * counts, then per configuration of {@code configs} the template ids ({@code np.unique}), the
 * normalized template features and pair scores (1e-6), AUC (1e-9), each TAR@FAR's flipped index,
 * FPR and TPR (exact) and its {@code '%.2f'} string, the table row, and for the default
 * configuration the printed table row.
 */
public final class IjbConformance {

    /** The bundled fixture. */
    public static final String RESOURCE = "/insightface/ijb/expected.json";

    /** Template features and scores: absolute. */
    static final double FEATURE_TOLERANCE = 1e-6;
    /** AUC: absolute. */
    static final double AUC_TOLERANCE = 1e-9;

    private final Path dir;
    private final JsonObject json;

    /** The checks of the fixture {@code file} whose content is {@code json}. */
    public IjbConformance(Path file, JsonObject json) {
        this.dir = file.getParent();
        this.json = json;
    }

    /** The bundled fixture. */
    public static IjbConformance bundled() throws Exception {
        Path file = Path.of(IjbConformance.class.getResource(RESOURCE).toURI());
        return new IjbConformance(file,
                JsonParser.parseString(Files.readString(file, StandardCharsets.UTF_8)).getAsJsonObject());
    }

    /** The fixture folder (with {@code meta/} and {@code img_feats.npy}). */
    public Path dir() {
        return dir;
    }

    /** The checks by name, in order. */
    public Map<String, Executable> checks() {
        Map<String, Executable> c = new LinkedHashMap<>();
        c.put("meta files", this::meta);
        for (String cfg : json.getAsJsonObject("configs").keySet()) {
            c.put(cfg, () -> config(cfg));
        }
        return c;
    }

    /** The meta files' counts equal the JSON's. */
    public void meta() throws IOException {
        IjbMeta m = IjbMeta.read(dir, null);
        assertEquals(json.get("target").getAsString(), m.target());
        assertEquals(json.get("num_images").getAsInt(), m.size());
        assertEquals(json.get("num_templates").getAsInt(),
                java.util.Arrays.stream(m.templates()).distinct().count());
        assertEquals(json.get("num_media").getAsInt(), java.util.Arrays.stream(m.medias()).distinct().count());
        assertEquals(json.get("num_pairs").getAsInt(), m.pairLabels().length);
        assertEquals(json.get("num_genuine_pairs").getAsInt(), java.util.Arrays.stream(m.pairLabels()).sum());
    }

    /** The pooling of a configuration. */
    public static TemplatePooling pooling(JsonObject config) {
        String mode = config.get("flip_mode").getAsString();
        TemplatePooling.Flip flip = mode.startsWith("add") ? TemplatePooling.Flip.SUM
                : mode.startsWith("concat") ? TemplatePooling.Flip.CONCAT : TemplatePooling.Flip.NONE;
        assertEquals(flip != TemplatePooling.Flip.NONE, config.get("use_flip_test").getAsBoolean(), mode);
        TemplatePooling.Builder b = TemplatePooling.builder().optFlip(flip);
        if (!config.get("use_norm_score").getAsBoolean()) {
            b.optWithoutNormScore();
        }
        if (!config.get("use_detector_score").getAsBoolean()) {
            b.optWithoutDetectorScore();
        }
        return b.build();
    }

    /** The raw image features, N x width as float32. */
    public float[] features(long[] shape) throws IOException {
        NpyFormat.Array a = npy("img_feats.npy");
        System.arraycopy(a.shape(), 0, shape, 0, 2);
        float[] f = new float[a.values().length];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) a.values()[i];
        }
        return f;
    }

    /** One configuration against its expected files and numbers. */
    public void config(String name) throws IOException {
        JsonObject cfg = json.getAsJsonObject("configs").getAsJsonObject(name);
        TemplatePooling pooling = pooling(cfg);
        assertEquals(name, pooling.key());
        IjbMeta m = IjbMeta.read(dir, json.get("target").getAsString());
        long[] shape = new long[2];
        float[] feats = features(shape);
        assertEquals(m.size(), shape[0], "img_feats.npy rows");
        TemplatePooling.Templates t = pooling.apply(feats, (int) shape[1], m.faceness(), m.templates(), m.medias());

        long[] unique = longs(npy("expected/unique_templates.npy"));
        assertArrayEquals(unique, t.ids(), "unique_templates");
        NpyFormat.Array expected = npy(cfg.get("template_norm_feats_file").getAsString());
        assertEquals(cfg.getAsJsonArray("template_norm_feats_shape").get(1).getAsInt(), t.dim(), "feature width");
        assertEquals(expected.shape()[1], t.dim());
        double featureDiff = assertClose(expected.values(), t.features(), FEATURE_TOLERANCE,
                name + " template_norm_feats");

        double[] scores = IjbVerification.scores(t, m.pairT1(), m.pairT2());
        double scoreDiff = assertClose(npy(cfg.get("scores_file").getAsString()).values(), scores, FEATURE_TOLERANCE,
                name + " scores");
        System.out.printf(Locale.ROOT, "ijb %s: template_norm_feats %.2e, scores %.2e%n", name, featureDiff, scoreDiff);

        double[] fars = doubles(json.getAsJsonArray("far_labels"));
        IjbVerification.Report r = IjbVerification.evaluate(scores, m.pairLabels(), fars);
        assertEquals(cfg.get("auc").getAsDouble(), r.auc(), AUC_TOLERANCE, name + " AUC");
        List<String> strings = r.tarPercent();
        int k = 0;
        for (JsonElement e : cfg.getAsJsonArray("tar_at_far")) {
            JsonObject x = e.getAsJsonObject();
            String at = name + " FAR " + x.get("far").getAsDouble();
            assertEquals(x.get("far").getAsDouble(), fars[k], at);
            assertEquals(x.get("nearest_fpr_index_in_flipped_roc").getAsInt(), r.nearestIndex()[k], at + " index");
            assertEquals(x.get("fpr").getAsDouble(), r.fpr()[k], 0.0, at + " fpr");
            assertEquals(x.get("tar").getAsDouble(), r.tar()[k], 0.0, at + " tar");
            assertEquals(x.get("tar_percent_str").getAsString(), strings.get(k), at + " string");
            k++;
        }
        assertEquals(fars.length, k);
        String target = json.get("target").getAsString();
        List<String> row = r.tableRow(target.toLowerCase(Locale.ROOT), target);
        assertEquals(strings(cfg.getAsJsonArray("table_row")), row, name + " table_row");
        if (json.get("default_config").getAsString().startsWith(name + " ")
                || json.get("default_config").getAsString().equals(name)) {
            assertEquals(strings(json.getAsJsonArray("printed_table_default_config")),
                    PrettyTable.render(strings(json.getAsJsonArray("table_columns")), List.of(row)), "printed table");
        }
    }

    /** The names of the configurations. */
    public List<String> configs() {
        return new ArrayList<>(json.getAsJsonObject("configs").keySet());
    }

    /** The JSON. */
    public JsonObject json() {
        return json;
    }

    private NpyFormat.Array npy(String rel) throws IOException {
        try (InputStream in = Files.newInputStream(dir.resolve(rel))) {
            return NpyFormat.read(new java.io.BufferedInputStream(in), rel);
        }
    }

    private static long[] longs(NpyFormat.Array a) {
        long[] out = new long[a.values().length];
        for (int i = 0; i < out.length; i++) {
            out[i] = (long) a.values()[i];
        }
        return out;
    }

    private static double[] doubles(com.google.gson.JsonArray a) {
        double[] out = new double[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).getAsDouble();
        }
        return out;
    }

    private static List<String> strings(com.google.gson.JsonArray a) {
        List<String> out = new ArrayList<>();
        a.forEach(e -> out.add(e.getAsString()));
        return out;
    }

    /** Asserts max |expected - actual| <= tol and returns it. */
    static double assertClose(double[] expected, double[] actual, double tol, String what) {
        assertEquals(expected.length, actual.length, what + " length");
        double worst = 0;
        int at = -1;
        for (int i = 0; i < expected.length; i++) {
            double d = Math.abs(expected[i] - actual[i]);
            if (!(d <= worst)) {
                worst = d;
                at = i;
            }
        }
        assertTrue(worst <= tol, what + ": max |diff| " + worst + " at " + at + " > " + tol);
        return worst;
    }
}
