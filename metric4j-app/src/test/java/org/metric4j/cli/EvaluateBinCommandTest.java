package org.metric4j.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.types.DataType;
import com.google.gson.Gson;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.metric4j.data.VerificationBin;
import org.metric4j.data.VerificationBinConformance;
import org.metric4j.eval.InsightFaceVerification;
import org.metric4j.io.NpyFormat;

/**
 * {@code evaluate --bin}: on the fixture's embeddings every number of InsightFace's evaluate(); on
 * a model (mbf.pth) the numbers of the same network's outputs computed through {@code embed}; bad
 * input is one line naming the files.
 */
class EvaluateBinCommandTest {

    private static JsonObject lastJson(CliRun r) {
        String[] lines = r.out().strip().split("\n");
        return JsonParser.parseString(lines[lines.length - 1]).getAsJsonObject();
    }

    /** A JSON set object as the Report the conformance checks. */
    private static InsightFaceVerification.Report report(JsonObject s, JsonObject expected) {
        Gson g = new Gson();
        int[][] folds = g.fromJson(expected.getAsJsonArray("test_fold_ranges"), int[][].class);
        return new InsightFaceVerification.Report(folds, null, g.fromJson(s.get("tpr"), double[].class),
                g.fromJson(s.get("fpr"), double[].class), g.fromJson(s.get("accuracy"), double[].class),
                s.get("accuracy_mean").getAsDouble(), s.get("accuracy_std").getAsDouble(),
                g.fromJson(s.get("best_thresholds"), double[].class), s.get("val").getAsDouble(),
                s.get("val_std").getAsDouble(), s.get("far").getAsDouble(),
                g.fromJson(s.get("val_thresholds"), double[].class));
    }

    @Test
    void theFixtureEmbeddingsGiveEveryNumberOfInsightFacesEvaluate() throws Exception {
        VerificationBinConformance fx = VerificationBinConformance.bundled();
        for (Path bin : fx.bins()) {
            CliRun r = CliRun.of("evaluate", "--bin", bin.toString(), "--embeddings", fx.embeddings().toString());
            assertEquals(0, r.code(), r.err());
            String name = bin.getFileName().toString().replace(".bin", "");
            assertTrue(r.out().startsWith(name + ": accuracy 0.88333 +- 0.05217, best threshold 1.569 (mean of 10 "
                    + "folds), VAL@FAR=1e-3 0.22667 +- 0.13064 (FAR 0.00667), XNorm 1.000000 (300 pairs)"), r.out());
            JsonObject set = lastJson(r).getAsJsonObject("sets").getAsJsonObject(name);
            assertEquals(600, set.get("images").getAsInt());
            VerificationBinConformance.check(fx.json().getAsJsonObject("evaluate"),
                    report(set, fx.json().getAsJsonObject("evaluate")));
            assertEquals(1.0, set.get("xnorm").getAsDouble(), 1e-6, "the fixture's rows are unit vectors");
        }
    }

    /** A pickle of (bins, issame) as Python 3 writes it (BINBYTES, NEWTRUE / NEWFALSE). */
    private static void writeBin(Path file, List<byte[]> images, boolean[] issame) throws Exception {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        o.write(new byte[] {(byte) 0x80, 3, ']', '('});
        for (byte[] img : images) {
            o.write('B');
            o.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(img.length).array());
            o.write(img);
        }
        o.write(new byte[] {'e', ']', '('});
        for (boolean s : issame) {
            o.write(s ? 0x88 : 0x89);
        }
        o.write(new byte[] {'e', (byte) 0x86, '.'});
        Files.write(file, o.toByteArray());
    }

    /** 20 pairs of the fixture, each fold of 2 with a genuine and an impostor pair. */
    private static Path subset(Path dir) throws Exception {
        VerificationBin full = VerificationBin.read(VerificationBinConformance.bundled().bins().get(1));
        boolean[] same = full.issame();
        List<Integer> genuine = new ArrayList<>();
        List<Integer> impostor = new ArrayList<>();
        for (int k = 0; k < same.length; k++) {
            (same[k] ? genuine : impostor).add(k);
        }
        List<byte[]> images = new ArrayList<>();
        boolean[] issame = new boolean[20];
        for (int f = 0; f < 10; f++) {
            for (int j = 0; j < 2; j++) {
                int k = j == 0 ? genuine.get(f) : impostor.get(f);
                images.add(full.image(2 * k));
                images.add(full.image(2 * k + 1));
                issame[2 * f + j] = same[k];
            }
        }
        Path bin = dir.resolve("sub.bin");
        writeBin(bin, images, issame);
        return bin;
    }

    /** {@code load_bin}'s uint8 tensor preprocessed as {@code verification.test} does, written as float32 .npy. */
    private static Path tensors(VerificationBin set, boolean flip, Path file) throws Exception {
        byte[] u8 = set.loadBin(112, 112, flip);
        double[] x = new double[u8.length];
        for (int i = 0; i < x.length; i++) {
            x[i] = (((u8[i] & 0xff) / 255f) - 0.5f) / 0.5f;
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        NpyFormat.write(body, x, set.size(), 3 * 112 * 112, DataType.FLOAT32);
        // rewrite the 2-D header as N x 3 x 112 x 112 (same data)
        String text = new String(body.toByteArray(), 0, 128, java.nio.charset.StandardCharsets.ISO_8859_1);
        int headerEnd = body.toByteArray().length - 4 * x.length;
        String header = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + set.size() + ", 3, 112, 112), }";
        StringBuilder h = new StringBuilder(header);
        while ((10 + h.length() + 1) % 64 != 0) {
            h.append(' ');
        }
        h.append('\n');
        try (OutputStream out = Files.newOutputStream(file)) {
            out.write(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0});
            out.write(ByteBuffer.allocate(2).order(ByteOrder.LITTLE_ENDIAN).putShort((short) h.length()).array());
            out.write(h.toString().getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
            out.write(body.toByteArray(), headerEnd, 4 * x.length);
        }
        assertTrue(text.startsWith("\u0093NUMPY"), text);
        return file;
    }

    private static double[] npy(Path p) throws Exception {
        try (InputStream in = Files.newInputStream(p)) {
            return NpyFormat.read(in, p.toString()).values();
        }
    }

    @Test
    void aModelGivesTheNumbersOfItsEmbeddingsComputedByEmbed(@TempDir Path dir) throws Exception {
        BackboneFixture mbf = new BackboneFixture("mbf");
        Path bin = subset(dir);
        VerificationBin set = VerificationBin.read(bin);
        CliRun model = CliRun.of("evaluate", "--bin", bin.toString(), "--backbone", mbf.spec(), "--weights",
                mbf.pth().toString());
        assertEquals(0, model.code(), model.err());
        assertTrue(model.out().startsWith("sub: accuracy "), model.out());
        JsonObject got = lastJson(model).getAsJsonObject("sets").getAsJsonObject("sub");

        // the same network through embed, plain and mirrored, combined as verification.test does
        double[][] raw = new double[2][];
        for (int flip = 0; flip < 2; flip++) {
            Path x = tensors(set, flip == 1, dir.resolve("x" + flip + ".npy"));
            Path e = dir.resolve("e" + flip + ".npy");
            CliRun r = CliRun.of("embed", "--backbone", mbf.spec(), "--weights", mbf.pth().toString(), "--tensors",
                    x.toString(), "--output", e.toString());
            assertEquals(0, r.code(), r.err());
            raw[flip] = npy(e);
        }
        int d = raw[0].length / set.size();
        double[] both = Arrays.copyOf(raw[0], 2 * raw[0].length);
        System.arraycopy(raw[1], 0, both, raw[0].length, raw[1].length);
        double[] sum = new double[raw[0].length];
        for (int i = 0; i < sum.length; i++) {
            sum[i] = raw[0][i] + raw[1][i];
        }
        InsightFaceVerification.Report want = InsightFaceVerification.builder().build().evaluate(sum, d, set.issame());
        double xnorm = InsightFaceVerification.xnorm(both, d);
        assertEquals(xnorm, got.get("xnorm").getAsDouble(), 1e-5 * xnorm, "xnorm");
        assertTrue(xnorm > 1.5, "mbf's raw outputs are not unit vectors: " + xnorm);
        Gson g = new Gson();
        assertArrayEquals(want.accuracy(), g.fromJson(got.get("accuracy"), double[].class), "accuracy");
        assertArrayEquals(want.bestThresholds(), g.fromJson(got.get("best_thresholds"), double[].class), "thresholds");
        assertArrayEquals(want.tpr(), g.fromJson(got.get("tpr"), double[].class), "tpr");
        assertArrayEquals(want.fpr(), g.fromJson(got.get("fpr"), double[].class), "fpr");
        assertEquals(want.val(), got.get("val").getAsDouble(), 1e-12, "val");
        assertEquals(want.far(), got.get("far").getAsDouble(), 1e-12, "far");
        assertArrayEquals(want.valThresholds(), g.fromJson(got.get("val_thresholds"), double[].class), 1e-5,
                "val thresholds");
    }

    @Test
    void badInputIsOneLineNamingIt(@TempDir Path dir) throws Exception {
        VerificationBinConformance fx = VerificationBinConformance.bundled();
        Path bin = fx.bins().get(0);
        double[] rows = Arrays.copyOf(npy(fx.embeddings()), 599 * 128);
        Path short599 = dir.resolve("short.npy");
        try (OutputStream out = Files.newOutputStream(short599)) {
            NpyFormat.write(out, rows, 599, 128, DataType.FLOAT32);
        }
        CliRun rowCount = CliRun.of("evaluate", "--bin", bin.toString(), "--embeddings", short599.toString());
        assertEquals(2, rowCount.code());
        assertEquals("metric4j evaluate: error: --embeddings " + short599 + " has 599 rows but --bin " + bin
                + " has 600 images (row i must be image i)", rowCount.err().strip().split("\n")[0]);

        Path jpeg = dir.resolve("photo.bin");
        Files.write(jpeg, VerificationBin.read(bin).image(0));
        CliRun notPickle = CliRun.of("evaluate", "--bin", jpeg.toString(), "--embeddings", fx.embeddings().toString());
        assertEquals(2, notPickle.code());
        assertTrue(notPickle.err().startsWith("metric4j evaluate: error: --bin " + jpeg + ": not a verification .bin "
                + "pickle of (bins, issame_list): it starts with bytes ff d8 ff"), notPickle.err());

        CliRun missing = CliRun.of("evaluate", "--bin", dir.resolve("lfw.bin").toString(), "--embeddings",
                fx.embeddings().toString());
        assertEquals("metric4j evaluate: error: --bin " + dir.resolve("lfw.bin") + ": no such file",
                missing.err().strip().split("\n")[0]);

        CliRun neither = CliRun.of("evaluate", "--bin", bin.toString());
        assertEquals(2, neither.code());
        assertTrue(neither.err().startsWith("metric4j evaluate: error: --bin needs --embeddings FILE.npy or a model "
                + "(--model, --torchscript, --onnx, --backbone with --weights), got neither"), neither.err());

        CliRun both = CliRun.of("evaluate", "--bin", bin.toString(), "--embeddings", fx.embeddings().toString(),
                "--torchscript", dir.resolve("m.pt").toString());
        assertTrue(both.err().contains("got both"), both.err());

        CliRun two = CliRun.of("evaluate", "--bin", bin.toString(), "--bin", fx.bins().get(1).toString(),
                "--embeddings", fx.embeddings().toString());
        assertTrue(two.err().contains("holds the images of one --bin, got 2 --bin files"), two.err());

        CliRun pairs = CliRun.of("evaluate", "--bin", bin.toString(), "--embeddings", fx.embeddings().toString(),
                "--retrieval");
        assertTrue(pairs.err().startsWith("metric4j evaluate: error: --bin evaluates InsightFace's .bin sets alone; "
                + "drop --retrieval"), pairs.err());

        CliRun modelWithoutBin = CliRun.of("evaluate", "--embeddings", fx.embeddings().toString(), "--weights",
                "x.pth", "--backbone", "mobilefacenet");
        assertEquals(2, modelWithoutBin.code());
        assertTrue(modelWithoutBin.err().contains("give --bin FILE.bin"), modelWithoutBin.err());

        CliRun noEmbeddings = CliRun.of("evaluate", "--retrieval");
        assertEquals(2, noEmbeddings.code());
        assertTrue(noEmbeddings.err().startsWith("metric4j evaluate: error: missing --embeddings FILE"),
                noEmbeddings.err());
    }
}
