package org.metric4j.data.align;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.function.Executable;
import org.metric4j.data.ImageDecoder;

/**
 * The checks of one {@code kind: face_align} fixture (insightface/align/README.md), shared by
 * InsightFaceFixtureTest and the {@code align} command's test: the templates equal {@code
 * arcface_template} and {@code eval_ijbc_template} exactly; per image, the decoded source has its
 * {@code rgb_sha256}; {@link FaceAligner#estimate} is within {@code recommended_tolerance.matrix}
 * of {@code M_float64_reference} and of InsightFace's {@code estimate_norm.M}; {@link
 * WarpAffine#OPENCV} with the fixture's M gives {@code norm_crop}'s pixels bit for bit and {@link
 * WarpAffine#FLOAT} stays within the float limits; landmarks to crop with our own M stays within
 * {@code end_to_end_own_M}; and the same for {@code eval_ijbc} where the JSON gives it. Sizes,
 * counts and limits are read from the JSON.
 */
public final class FaceAlignConformance {

    /** The bundled fixture. */
    public static final String RESOURCE = "/insightface/align/expected.json";

    private final Path dir;
    private final JsonObject json;
    private final JsonObject tol;

    /** The checks of the fixture {@code file} whose content is {@code json}. */
    public FaceAlignConformance(Path file, JsonObject json) {
        this.dir = file.getParent();
        this.json = json;
        this.tol = json.getAsJsonObject("recommended_tolerance");
    }

    /** The bundled fixture. */
    public static FaceAlignConformance bundled() throws Exception {
        Path file = Path.of(FaceAlignConformance.class.getResource(RESOURCE).toURI());
        return new FaceAlignConformance(file,
                JsonParser.parseString(Files.readString(file, StandardCharsets.UTF_8)).getAsJsonObject());
    }

    /** The folder of the fixture's images. */
    public Path dir() {
        return dir;
    }

    /** The images' entries, in order. */
    public List<JsonObject> images() {
        List<JsonObject> out = new ArrayList<>();
        for (JsonElement e : json.getAsJsonArray("images")) {
            out.add(e.getAsJsonObject());
        }
        return out;
    }

    /** The crop size ({@code warp.dsize_w_h}). */
    public int size() {
        JsonArray wh = json.getAsJsonObject("warp").getAsJsonArray("dsize_w_h");
        assertEquals(wh.get(0).getAsInt(), wh.get(1).getAsInt(), "square crops");
        return wh.get(0).getAsInt();
    }

    /** The checks by name, in order. */
    public Map<String, Executable> checks() {
        Map<String, Executable> c = new LinkedHashMap<>();
        c.put("templates", this::templates);
        for (JsonObject img : images()) {
            String name = "image " + img.get("index").getAsInt() + " (" + img.get("case").getAsString() + ")";
            c.put(name + ": source pixels", () -> source(img));
            c.put(name + ": estimate_norm M", () -> matrix(img));
            c.put(name + ": warp with the fixture's M", () -> warp(img));
            c.put(name + ": end to end", () -> endToEnd(img));
            if (img.has("eval_ijbc")) {
                c.put(name + ": eval_ijbc", () -> evalIjbc(img));
            }
        }
        return c;
    }

    /** {@link FaceTemplate} equals the JSON's float32 templates exactly. */
    public void templates() {
        JsonObject arc = json.getAsJsonObject("arcface_template");
        assertArrayEquals(floats(arc.getAsJsonArray("points")),
                FaceTemplate.ARCFACE.points(arc.get("image_size").getAsInt()), "arcface_dst");
        assertArrayEquals(floats(json.getAsJsonObject("eval_ijbc_template").getAsJsonArray("points")),
                FaceTemplate.EVAL_IJBC.points(FaceTemplate.BASE_SIZE), "eval_ijbc Embedding.src");
    }

    /** The decoded source has the JSON's size and RGB SHA-256. */
    public void source(JsonObject img) throws Exception {
        JsonObject s = img.getAsJsonObject("source");
        BufferedImage src = ImageDecoder.read(dir.resolve(s.get("file").getAsString()));
        assertEquals(s.get("width").getAsInt(), src.getWidth(), "width");
        assertEquals(s.get("height").getAsInt(), src.getHeight(), "height");
        assertEquals(s.get("rgb_sha256").getAsString(), rgbSha256(src), "decoded RGB SHA-256");
    }

    /** Our double M against the float64 reference and InsightFace's M. */
    public void matrix(JsonObject img) {
        AffineMatrix m = FaceAligner.arcface(size()).estimate(landmarks(img));
        JsonObject t = tol.getAsJsonObject("matrix");
        AffineMatrix ref = matrix(img.getAsJsonArray("M_float64_reference"));
        double refTol = t.get("vs_M_float64_reference_abs").getAsDouble();
        assertTrue(m.linearDistance(ref) <= refTol && m.translationDistance(ref) <= refTol,
                "vs M_float64_reference: " + m.linearDistance(ref) + " / " + m.translationDistance(ref) + " > "
                        + refTol + "; ours " + m);
        AffineMatrix insight = matrix(img.getAsJsonObject("estimate_norm").getAsJsonArray("M"));
        assertTrue(m.linearDistance(insight) <= t.get("vs_estimate_norm_M_linear_2x2_abs").getAsDouble(),
                "2x2 vs estimate_norm.M: " + m.linearDistance(insight));
        assertTrue(m.translationDistance(insight) <= t.get("vs_estimate_norm_M_translation_abs").getAsDouble(),
                "translation vs estimate_norm.M: " + m.translationDistance(insight));
        System.out.printf(Locale.ROOT, "align image %d: M vs float64 reference %.2g / %.2g, vs estimate_norm %.2g / %.2g%n",
                img.get("index").getAsInt(), m.linearDistance(ref), m.translationDistance(ref),
                m.linearDistance(insight), m.translationDistance(insight));
    }

    /** The fixture's M warped: OpenCV's model bit-exact, the float warp within its limits. */
    public void warp(JsonObject img) throws Exception {
        BufferedImage src = source(img, "source");
        AffineMatrix m = matrix(img.getAsJsonObject("estimate_norm").getAsJsonArray("M"));
        JsonObject crop = img.getAsJsonObject("norm_crop");
        FaceAligner opencv = FaceAligner.arcface(size());
        BufferedImage ours = opencv.warp(src, m);
        assertEquals(crop.get("rgb_sha256").getAsString(), rgbSha256(ours), "OpenCV model vs norm_crop (SHA-256)");
        BufferedImage expected = ImageDecoder.read(dir.resolve(crop.get("file").getAsString()));
        assertEquals(0, Diff.of(ours, expected).maxAbs(), "OpenCV model vs " + crop.get("file").getAsString());
        BufferedImage flt = FaceAligner.builder().optSize(size()).optWarp(WarpAffine.FLOAT).build().warp(src, m);
        JsonObject t = tol.getAsJsonObject("warp_given_fixture_M");
        floatLimits(Diff.of(flt, expected), t, "float warp vs norm_crop");
        JsonObject fb = img.getAsJsonObject("float_bilinear");
        Diff gen = Diff.of(flt, ImageDecoder.read(dir.resolve(fb.get("file").getAsString())));
        assertTrue(gen.maxAbs() <= t.get("float_bilinear_vs_aligned_float_png_max_abs").getAsInt(),
                "float warp vs the generator's float warp: " + gen);
    }

    /** Landmarks -> our M -> our warps, against norm_crop. */
    public void endToEnd(JsonObject img) throws Exception {
        BufferedImage src = source(img, "source");
        BufferedImage expected = ImageDecoder.read(dir.resolve(img.getAsJsonObject("norm_crop").get("file").getAsString()));
        JsonObject t = tol.getAsJsonObject("end_to_end_own_M");
        Diff cv = Diff.of(FaceAligner.arcface(size()).align(src, landmarks(img)), expected);
        assertTrue(cv.maxAbs() <= t.get("cv2_fixed_point_model_max_abs").getAsInt()
                && cv.fractionDiffering() <= t.get("cv2_fixed_point_model_fraction_differing_per_image").getAsDouble(),
                "OpenCV model, own M, vs norm_crop: " + cv);
        FaceAligner flt = FaceAligner.builder().optSize(size()).optWarp(WarpAffine.FLOAT).build();
        Diff fd = Diff.of(flt.align(src, landmarks(img)), expected);
        floatLimits(fd, t, "float warp, own M, vs norm_crop");
        System.out.printf(Locale.ROOT, "align image %d end to end: OpenCV model %s; float warp %s%n",
                img.get("index").getAsInt(), cv, fd);
    }

    /** eval_ijbc's template: M within the matrix tolerances, its crop bit-exact with its M, end to end. */
    public void evalIjbc(JsonObject img) throws Exception {
        JsonObject e = img.getAsJsonObject("eval_ijbc");
        FaceAligner ijbc = FaceAligner.builder().optSize(size()).optTemplate(FaceTemplate.EVAL_IJBC).build();
        AffineMatrix theirs = matrix(e.getAsJsonArray("M"));
        AffineMatrix ours = ijbc.estimate(landmarks(img));
        JsonObject t = tol.getAsJsonObject("matrix");
        assertTrue(ours.linearDistance(theirs) <= t.get("vs_estimate_norm_M_linear_2x2_abs").getAsDouble()
                && ours.translationDistance(theirs) <= t.get("vs_estimate_norm_M_translation_abs").getAsDouble(),
                "vs eval_ijbc M: " + ours.linearDistance(theirs) + " / " + ours.translationDistance(theirs));
        BufferedImage src = source(img, "source");
        BufferedImage crop = ijbc.warp(src, theirs);
        assertEquals(e.get("aligned_rgb_sha256").getAsString(), rgbSha256(crop), "OpenCV model with eval_ijbc's M");
        boolean same = e.get("same_pixels_as_norm_crop").getAsBoolean();
        assertEquals(same, e.get("aligned_rgb_sha256").getAsString()
                .equals(img.getAsJsonObject("norm_crop").get("rgb_sha256").getAsString()), "same_pixels_as_norm_crop");
        if (e.has("file")) {
            assertEquals(0, Diff.of(crop, ImageDecoder.read(dir.resolve(e.get("file").getAsString()))).maxAbs(),
                    e.get("file").getAsString());
        }
        JsonObject t2 = tol.getAsJsonObject("end_to_end_own_M");
        Diff d = Diff.of(ijbc.align(src, landmarks(img)), crop);
        assertTrue(d.maxAbs() <= t2.get("cv2_fixed_point_model_max_abs").getAsInt()
                && d.fractionDiffering() <= t2.get("cv2_fixed_point_model_fraction_differing_per_image").getAsDouble(),
                "eval_ijbc end to end: " + d);
    }

    private static void floatLimits(Diff d, JsonObject t, String what) {
        assertTrue(d.maxAbs() <= t.get("float_bilinear_max_abs").getAsInt(), what + ": " + d);
        assertTrue(d.meanAbs() <= t.get("float_bilinear_mean_abs_per_image").getAsDouble(), what + ": " + d);
        assertTrue(Math.abs(d.meanSigned()) <= t.get("float_bilinear_abs_of_mean_signed_per_image").getAsDouble(),
                what + ": " + d);
    }

    private BufferedImage source(JsonObject img, String key) throws Exception {
        return ImageDecoder.read(dir.resolve(img.getAsJsonObject(key).get("file").getAsString()));
    }

    /** The image's {@code landmarks} as {@code x1, y1, ..., x5, y5} float32. */
    public static float[] landmarks(JsonObject img) {
        float[] out = new float[10];
        JsonArray l = img.getAsJsonArray("landmarks");
        for (int i = 0; i < 5; i++) {
            out[2 * i] = (float) l.get(i).getAsJsonArray().get(0).getAsDouble();
            out[2 * i + 1] = (float) l.get(i).getAsJsonArray().get(1).getAsDouble();
        }
        return out;
    }

    private static float[] floats(JsonArray points) {
        float[] out = new float[2 * points.size()];
        for (int i = 0; i < points.size(); i++) {
            out[2 * i] = (float) points.get(i).getAsJsonArray().get(0).getAsDouble();
            out[2 * i + 1] = (float) points.get(i).getAsJsonArray().get(1).getAsDouble();
        }
        return out;
    }

    private static AffineMatrix matrix(JsonArray m) {
        double[][] a = new double[2][3];
        for (int r = 0; r < 2; r++) {
            for (int c = 0; c < 3; c++) {
                a[r][c] = m.get(r).getAsJsonArray().get(c).getAsDouble();
            }
        }
        return AffineMatrix.of(a);
    }

    /** SHA-256 of the pixels as H x W x 3 uint8, RGB, row-major. */
    public static String rgbSha256(BufferedImage img) throws Exception {
        int w = img.getWidth();
        int h = img.getHeight();
        int[] px = img.getRGB(0, 0, w, h, null, 0, w);
        byte[] b = new byte[px.length * 3];
        for (int p = 0; p < px.length; p++) {
            b[3 * p] = (byte) (px[p] >>> 16);
            b[3 * p + 1] = (byte) (px[p] >>> 8);
            b[3 * p + 2] = (byte) px[p];
        }
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    /**
     * Differences of two images of one size over all H x W x 3 values, in gray levels.
     *
     * @param maxAbs the largest |a - b|
     * @param meanAbs the mean |a - b|
     * @param meanSigned the mean a - b
     * @param fractionDiffering the share of values that differ
     */
    public record Diff(int maxAbs, double meanAbs, double meanSigned, double fractionDiffering) {

        /** The differences of {@code a} and {@code b}. */
        public static Diff of(BufferedImage a, BufferedImage b) {
            assertEquals(b.getWidth(), a.getWidth(), "width");
            assertEquals(b.getHeight(), a.getHeight(), "height");
            int w = a.getWidth();
            int[] pa = a.getRGB(0, 0, w, a.getHeight(), null, 0, w);
            int[] pb = b.getRGB(0, 0, w, b.getHeight(), null, 0, w);
            int max = 0;
            long abs = 0;
            long signed = 0;
            long differing = 0;
            for (int p = 0; p < pa.length; p++) {
                for (int s = 0; s <= 16; s += 8) {
                    int d = ((pa[p] >>> s) & 0xff) - ((pb[p] >>> s) & 0xff);
                    max = Math.max(max, Math.abs(d));
                    abs += Math.abs(d);
                    signed += d;
                    differing += d != 0 ? 1 : 0;
                }
            }
            double n = 3.0 * pa.length;
            return new Diff(max, abs / n, signed / n, differing / n);
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "max %d, mean %.4f, signed mean %.4f, %.4f%% differing", maxAbs,
                    meanAbs, meanSigned, 100 * fractionDiffering);
        }
    }
}
