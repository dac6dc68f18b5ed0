package org.metric4j.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.awt.image.BufferedImage;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.metric4j.data.ImageDecoder;
import org.metric4j.data.align.FaceAlignConformance;
import org.metric4j.data.align.FaceAligner;
import org.metric4j.data.align.FaceTemplate;
import org.metric4j.io.NpyFormat;

/**
 * {@code evaluate --ijb DIR} with a model (mbf.pth): a tiny IJB-C folder made of the align
 * fixture's source images and landmarks; the model's N x 2D features equal those of the same crops
 * (FaceAligner with eval_ijbc's template, then {@code embed --tensors} on the crops and their
 * mirrors preprocessed as {@code forward_db} does), and the protocol's output equals the one on
 * the saved features through {@code --embeddings}.
 */
class IjbModelEvaluateCommandTest {

    /** Two loose crops per fixture source (the second with its landmarks moved 0.7 px right). */
    private static final int COPIES = 2;

    private record Ijb(Path dir, List<String> names, List<float[]> landmarks) {}

    /**
     * 12 images of 6 templates (template t: the two crops of source t; one media for even t, two for
     * odd t), 15 pairs of templates, genuine for (0, 1), (2, 3), (4, 5).
     */
    private static Ijb tinyIjb(Path dir) throws Exception {
        FaceAlignConformance fx = FaceAlignConformance.bundled();
        Path crops = Files.createDirectories(dir.resolve("loose_crop"));
        Path meta = Files.createDirectories(dir.resolve("meta"));
        List<String> names = new ArrayList<>();
        List<float[]> lmks = new ArrayList<>();
        StringBuilder media = new StringBuilder();
        StringBuilder scores = new StringBuilder();
        int t = 0;
        for (JsonObject img : fx.images()) {
            Path src = fx.dir().resolve(img.getAsJsonObject("source").get("file").getAsString());
            for (int j = 0; j < COPIES; j++) {
                String name = t + "_" + j + ".png";
                Files.copy(src, crops.resolve(name));
                float[] l = FaceAlignConformance.landmarks(img);
                for (int k = 0; k < 10; k += 2) {
                    l[k] += 0.7f * j;
                }
                names.add(name);
                lmks.add(l);
                media.append(name).append(' ').append(1000 + t).append(' ').append(t % 2 == 0 ? 50 + t : 50 + 10 * t + j)
                        .append('\n');
                scores.append(name);
                for (float v : l) {
                    scores.append(' ').append(v);
                }
                scores.append(String.format(Locale.ROOT, " %.4f%n", 0.5 + 0.04 * names.size()));
            }
            t++;
        }
        StringBuilder pairs = new StringBuilder();
        for (int a = 0; a < t; a++) {
            for (int b = a + 1; b < t; b++) {
                pairs.append(1000 + a).append(' ').append(1000 + b).append(' ').append(a / 2 == b / 2 ? 1 : 0).append('\n');
            }
        }
        Files.writeString(meta.resolve("ijbc_face_tid_mid.txt"), media, StandardCharsets.UTF_8);
        Files.writeString(meta.resolve("ijbc_name_5pts_score.txt"), scores, StandardCharsets.UTF_8);
        Files.writeString(meta.resolve("ijbc_template_pair_label.txt"), pairs, StandardCharsets.UTF_8);
        return new Ijb(dir, names, lmks);
    }

    /** N x 3 x 112 x 112 float32 .npy of the crops (mirrored when asked), as forward_db scales them. */
    private static Path tensors(List<BufferedImage> crops, boolean mirror, Path file) throws Exception {
        int s = FaceAligner.DEFAULT_SIZE;
        String header = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + crops.size() + ", 3, " + s + ", " + s
                + "), }";
        StringBuilder h = new StringBuilder(header);
        while ((10 + h.length() + 1) % 64 != 0) {
            h.append(' ');
        }
        h.append('\n');
        ByteBuffer body = ByteBuffer.allocate(4 * crops.size() * 3 * s * s).order(ByteOrder.LITTLE_ENDIAN);
        for (BufferedImage c : crops) {
            for (int ch = 0; ch < 3; ch++) {
                for (int y = 0; y < s; y++) {
                    for (int x = 0; x < s; x++) {
                        int v = (c.getRGB(mirror ? s - 1 - x : x, y) >> (16 - 8 * ch)) & 0xff;
                        body.putFloat(((v / 255f) - 0.5f) / 0.5f);
                    }
                }
            }
        }
        try (OutputStream out = Files.newOutputStream(file)) {
            out.write(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0});
            out.write(ByteBuffer.allocate(2).order(ByteOrder.LITTLE_ENDIAN).putShort((short) h.length()).array());
            out.write(h.toString().getBytes(StandardCharsets.ISO_8859_1));
            out.write(body.array());
        }
        return file;
    }

    private static NpyFormat.Array npy(Path p) throws Exception {
        try (InputStream in = Files.newInputStream(p)) {
            return NpyFormat.read(in, p.toString());
        }
    }

    private static JsonObject lastJson(String out) {
        String[] lines = out.strip().split("\n");
        return JsonParser.parseString(lines[lines.length - 1]).getAsJsonObject();
    }

    @Test
    void theModelsFeaturesAreTheAlignedCropsAndTheirMirrorsEmbedded(@TempDir Path tmp) throws Exception {
        BackboneFixture mbf = new BackboneFixture("mbf");
        Ijb ijb = tinyIjb(tmp.resolve("ijbc"));
        Path saved = tmp.resolve("out/feats.npy");
        CliRun model = CliRun.of("evaluate", "--ijb", ijb.dir().toString(), "--backbone", mbf.spec(), "--weights",
                mbf.pth().toString(), "--save-features", saved.toString(), "--batch-size", "5");
        assertEquals(0, model.code(), model.err());
        NpyFormat.Array feats = npy(saved);
        assertArrayEquals(new long[] {12, 1024}, feats.shape(), "N x 2D, D = 512");
        assertEquals("<f4", feats.descr());

        // the same crops through another route: FaceAligner + embed --tensors, plain and mirrored
        FaceAligner aligner = FaceAligner.builder().optTemplate(FaceTemplate.EVAL_IJBC).build();
        List<BufferedImage> crops = new ArrayList<>();
        for (int i = 0; i < ijb.names().size(); i++) {
            crops.add(aligner.align(ImageDecoder.read(ijb.dir().resolve("loose_crop").resolve(ijb.names().get(i))),
                    ijb.landmarks().get(i)));
        }
        double[][] raw = new double[2][];
        for (int flip = 0; flip < 2; flip++) {
            Path x = tensors(crops, flip == 1, tmp.resolve("x" + flip + ".npy"));
            Path e = tmp.resolve("e" + flip + ".npy");
            CliRun r = CliRun.of("embed", "--backbone", mbf.spec(), "--weights", mbf.pth().toString(), "--tensors",
                    x.toString(), "--output", e.toString());
            assertEquals(0, r.code(), r.err());
            raw[flip] = npy(e).values();
        }
        int d = 512;
        double worst = 0;
        double halves = 0;
        for (int i = 0; i < 12; i++) {
            for (int j = 0; j < d; j++) {
                double plain = feats.values()[i * 2 * d + j];
                double mirrored = feats.values()[i * 2 * d + d + j];
                worst = Math.max(worst, Math.abs(plain - raw[0][i * d + j]));
                worst = Math.max(worst, Math.abs(mirrored - raw[1][i * d + j]));
                halves = Math.max(halves, Math.abs(plain - mirrored));
            }
        }
        // (v - 127.5) / 127.5 against (v / 255 - 0.5) / 0.5: float32 rounding only (measured 3.6e-5 on features
        // up to 21.5 in absolute value; 9.5e-6 with the same normalization on both sides)
        assertTrue(worst < 1e-4, "max |model path - FaceAligner + embed --tensors| = " + worst);
        assertTrue(halves > 1e-2, "the mirror half differs from the plain half: " + halves);
        assertTrue(model.err().contains("ijb: embedding 12 images of "), model.err());
        assertTrue(model.err().contains("features 12 x 1024 written to "), model.err());

        // the protocol's output equals the one on the saved features
        CliRun saved2 = CliRun.of("evaluate", "--ijb", ijb.dir().toString(), "--embeddings", saved.toString());
        assertEquals(0, saved2.code(), saved2.err());
        assertEquals(saved2.out(), model.out());
        JsonObject json = lastJson(model.out());
        assertEquals(12, json.get("images").getAsInt());
        assertEquals(6, json.get("templates").getAsInt());
        assertEquals(15, json.get("pairs").getAsInt());
        assertEquals(3, json.get("genuine_pairs").getAsInt());
        assertEquals(1024, json.get("feature_width").getAsInt());
        double auc = json.get("auc").getAsDouble();
        assertTrue(auc >= 0 && auc <= 1, "auc " + auc);
        System.out.println("ijb model: auc " + auc + ", max |diff| " + worst + "\n" + model.out());

        // the batch size does not change the features
        Path b64 = tmp.resolve("b64.npy");
        CliRun other = CliRun.of("evaluate", "--ijb", ijb.dir().toString(), "--backbone", mbf.spec(), "--weights",
                mbf.pth().toString(), "--save-features", b64.toString());
        assertEquals(0, other.code(), other.err());
        double[] v64 = npy(b64).values();
        double batchDiff = 0;
        for (int i = 0; i < v64.length; i++) {
            batchDiff = Math.max(batchDiff, Math.abs(v64[i] - feats.values()[i]));
        }
        assertTrue(batchDiff < 1e-4, "batch 5 vs 64: " + batchDiff);

        // the same network as ONNX (ONNX Runtime, its preprocessing chosen by InsightFace's rule)
        Path onnx = tmp.resolve("onnx.npy");
        CliRun o = CliRun.of("evaluate", "--ijb", ijb.dir().toString(), "--onnx",
                mbf.dir.resolve("mbf.onnx").toString(), "--save-features", onnx.toString());
        assertEquals(0, o.code(), o.err());
        double[] vo = npy(onnx).values();
        double onnxDiff = 0;
        double scale = 0;
        for (int i = 0; i < vo.length; i++) {
            onnxDiff = Math.max(onnxDiff, Math.abs(vo[i] - feats.values()[i]));
            scale = Math.max(scale, Math.abs(feats.values()[i]));
        }
        assertTrue(onnxDiff < 1e-4 * scale, "--onnx vs --weights: " + onnxDiff + " (max |feature| " + scale + ")");
        System.out.println("ijb model: --onnx vs --weights max |diff| " + onnxDiff + ", max |feature| " + scale);
    }

    @Test
    void badInputIsOneLineNamingIt(@TempDir Path tmp) throws Exception {
        BackboneFixture mbf = new BackboneFixture("mbf");
        Ijb ijb = tinyIjb(tmp.resolve("ijbc"));
        String dir = ijb.dir().toString();
        String[] model = {"--backbone", mbf.spec(), "--weights", mbf.pth().toString()};
        Path scores = ijb.dir().resolve("meta/ijbc_name_5pts_score.txt");

        Path existing = Files.writeString(tmp.resolve("exists.npy"), "x");
        CliRun r = run(dir, model, "--save-features", existing.toString());
        assertEquals(2, r.code(), r.err());
        assertEquals("metric4j evaluate: error: --save-features " + existing + " exists; remove it or name another "
                + "file", r.err().strip());

        Path loose = ijb.dir().resolve("loose_crop");
        Files.move(loose.resolve("3_1.png"), tmp.resolve("3_1.png"));
        r = run(dir, model);
        assertEquals(2, r.code(), r.err());
        assertEquals("metric4j evaluate: error: --ijb " + loose.resolve("3_1.png") + ": no such image (" + scores
                + ":8)", lastLine(r.err()));
        assertFalse(Files.exists(tmp.resolve("never.npy")));

        Files.writeString(loose.resolve("3_1.png"), "not an image");
        r = run(dir, model, "--save-features", tmp.resolve("never.npy").toString());
        assertEquals(2, r.code(), r.err());
        assertTrue(lastLine(r.err()).startsWith("metric4j evaluate: error: --ijb " + loose.resolve("3_1.png")
                + ": does not decode as an image (" + scores + ":8)"), r.err());
        assertEquals(1, r.err().strip().lines().filter(l -> l.contains("error")).count(), r.err());
        assertFalse(Files.exists(tmp.resolve("never.npy")), "nothing written on failure");

        Files.move(loose, tmp.resolve("elsewhere"));
        r = run(dir, model);
        assertEquals(2, r.code(), r.err());
        assertEquals("metric4j evaluate: error: --ijb " + dir + ": no loose_crop/ folder (the images of "
                + "ijbc_name_5pts_score.txt, which a model embeds)", r.err().strip());

        r = CliRun.of("evaluate", "--ijb", dir);
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().startsWith("metric4j evaluate: error: --ijb needs --embeddings FILE.npy or a model "
                + "(--model, --torchscript, --onnx, --backbone with --weights) to embed " + loose + ", got neither"),
                r.err());

        r = run(dir, model, "--embeddings", existing.toString());
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains(", got both"), r.err());
    }

    /** The last line of the output: the error, after the progress line on stderr. */
    private static String lastLine(String text) {
        String[] lines = text.strip().split("\n");
        return lines[lines.length - 1];
    }

    private static CliRun run(String dir, String[] model, String... more) {
        List<String> args = new ArrayList<>(List.of("evaluate", "--ijb", dir));
        args.addAll(List.of(model));
        args.addAll(List.of(more));
        return CliRun.of(args.toArray(String[]::new));
    }
}
