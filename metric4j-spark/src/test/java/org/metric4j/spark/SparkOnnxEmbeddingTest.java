package org.metric4j.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.imageio.ImageIO;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.metric4j.cli.Metric4j;
import org.metric4j.eval.EmbeddingSet;
import org.metric4j.io.EmbeddingFiles;

/**
 * {@code embed --engine spark} with {@code --onnx} (the app fixture's MobileFaceNet, {@code
 * mbf.onnx}) and with preprocessing from the command line and from {@code preprocessing.json}: the
 * rows equal those of {@code embed --onnx} on one machine (ids, labels, and values within 1e-6),
 * in local[2] over two partitions, and the driver prints the preprocessing once.
 */
class SparkOnnxEmbeddingTest {

    static final Path MBF = Path.of("..", "metric4j-app", "src", "test", "resources", "insightface", "backbones",
            "mbf.onnx");

    private static String[] run(String... args) {
        StringWriter o = new StringWriter();
        StringWriter e = new StringWriter();
        var cli = Metric4j.commandLine();
        cli.setOut(new PrintWriter(o));
        cli.setErr(new PrintWriter(e));
        int code = Metric4j.execute(cli, args);
        return new String[] {String.valueOf(code), o.toString(), e.toString()};
    }

    /** Five images: the fixture's 112 x 112 PNGs, one as a 150 x 120 JPEG (resized and cropped by the preprocessing). */
    private static Path images(Path dir) throws Exception {
        Path images = dir.resolve("images");
        String[][] layout = {{"alice", "face_0.png"}, {"alice", "face_1.png"}, {"bob", "face_2.png"},
            {"bob", "face_3.png"}};
        for (String[] f : layout) {
            Files.createDirectories(images.resolve(f[0]));
            Files.copy(SparkEmbeddingTest.FIXTURE.resolve(f[1]), images.resolve(f[0]).resolve(f[1]));
        }
        BufferedImage face = ImageIO.read(SparkEmbeddingTest.FIXTURE.resolve("face_1.png").toFile());
        BufferedImage wide = new BufferedImage(150, 120, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = wide.createGraphics();
        g.drawImage(face, 0, 0, 150, 120, null);
        g.dispose();
        Files.createDirectories(images.resolve("carol"));
        assertTrue(ImageIO.write(wide, "jpg", images.resolve("carol").resolve("wide.jpg").toFile()));
        return images;
    }

    /** id to (label, embedding) of the Spark job's Parquet. */
    private static Map<String, Object[]> parquet(Path out) {
        Map<String, Object[]> rows = new TreeMap<>();
        for (Row r : SparkSession.getDefaultSession().get().read().parquet(out.toString()).collectAsList()) {
            assertEquals(null, r.get(3), r.getString(0));
            List<Float> e = r.getList(2);
            float[] v = new float[e.size()];
            for (int j = 0; j < v.length; j++) {
                v[j] = e.get(j);
            }
            rows.put(r.getString(0), new Object[] {r.getLong(1), v});
        }
        return rows;
    }

    /** id to (label, embedding) of embed's .npy files. */
    private static Map<String, Object[]> npy(Path out) throws Exception {
        String base = out.toString().substring(0, out.toString().length() - 4);
        EmbeddingSet set = EmbeddingFiles.readNpy(out, Path.of(base + "-labels.npy"));
        List<String> names = Files.readAllLines(Path.of(base + "-names.txt"));
        Map<String, Object[]> rows = new TreeMap<>();
        for (int i = 0; i < set.size(); i++) {
            float[] v = new float[set.dim()];
            for (int j = 0; j < v.length; j++) {
                v[j] = (float) set.values()[i * set.dim() + j];
            }
            rows.put(names.get(i), new Object[] {set.labels()[i], v});
        }
        return rows;
    }

    /** Runs embed locally and on Spark with the same options; asserts equal rows and returns them. */
    private static Map<String, Object[]> sameOnSpark(Path dir, String name, Path model, Path images,
            String... options) throws Exception {
        List<String> local = new ArrayList<>(List.of("embed", "--onnx", model.toString(), "--images",
                images.toString(), "--output", dir.resolve(name + ".npy").toString(), "--batch-size", "3"));
        local.addAll(List.of(options));
        String[] l = run(local.toArray(new String[0]));
        assertEquals("0", l[0], l[2]);
        List<String> spark = new ArrayList<>(List.of("embed", "--engine", "spark", "--master", "local[2]",
                "--partitions", "2", "--onnx", model.toString(), "--images", images.toString(), "--output",
                dir.resolve(name + ".parquet").toString()));
        spark.addAll(List.of(options));
        String[] s = run(spark.toArray(new String[0]));
        assertEquals("0", s[0], s[2]);
        String line = l[2].lines().filter(x -> x.startsWith("preprocessing: ")).findFirst().orElseThrow();
        assertEquals(List.of(line), s[2].lines().filter(x -> x.startsWith("preprocessing: ")).toList(),
                name + ": the driver prints the local command's preprocessing line once");
        assertTrue(s[1].contains("embedded 5 of 5 images"), s[1]);
        Map<String, Object[]> want = npy(dir.resolve(name + ".npy"));
        Map<String, Object[]> got = parquet(dir.resolve(name + ".parquet"));
        assertEquals(want.keySet(), got.keySet(), name);
        for (String id : want.keySet()) {
            assertEquals(want.get(id)[0], got.get(id)[0], name + " label of " + id);
            float[] a = (float[]) want.get(id)[1];
            float[] b = (float[]) got.get(id)[1];
            assertEquals(a.length, b.length, name + " " + id);
            for (int j = 0; j < a.length; j++) {
                assertEquals(a[j], b[j], 1e-6, name + " " + id + "[" + j + "]");
            }
        }
        return want;
    }

    @Test
    void sparkOnnxEmbeddingsEqualEmbedOnnxWithEveryPreprocessingSource(@TempDir Path dir) throws Exception {
        Path images = images(dir);
        Map<String, Object[]> plain = sameOnSpark(dir, "plain", MBF, images);
        assertEquals(Map.of("alice/face_0", 0L, "alice/face_1", 0L, "bob/face_2", 1L, "bob/face_3", 1L,
                "carol/wide", 2L), toLabels(plain));

        Map<String, Object[]> options = sameOnSpark(dir, "options", MBF, images, "--mean", "0,0,50", "--bgr",
                "--center-crop");
        assertTrue(maxDifference(plain, options) > 1e-2, "the options change the embeddings");

        Path withFile = dir.resolve("model");
        Files.createDirectories(withFile);
        Files.copy(MBF, withFile.resolve("mbf.onnx"));
        Files.writeString(withFile.resolve("preprocessing.json"), "{\"std\": [64, 128, 255], \"flipSum\": true}");
        Map<String, Object[]> file = sameOnSpark(dir, "file", withFile.resolve("mbf.onnx"), images);
        assertTrue(maxDifference(plain, file) > 1e-2, "preprocessing.json changes the embeddings");
        for (Object[] row : file.values()) {
            double norm = 0;
            for (float v : (float[]) row[1]) {
                norm += v * v;
            }
            assertEquals(1.0, Math.sqrt(norm), 1e-5, "flip-sum from preprocessing.json gives unit rows");
        }
    }

    @Test
    void tensorsAndAContradictingSizeAreOneLineOnSpark(@TempDir Path dir) throws Exception {
        Path images = images(dir);
        String[] r = run("embed", "--engine", "spark", "--onnx", MBF.toString(), "--tensors",
                dir.resolve("x.npy").toString(), "--output", dir.resolve("o.parquet").toString());
        assertEquals("2", r[0], r[2]);
        assertTrue(r[2].lines().findFirst().orElse("").contains("--engine spark embeds --images with a "
                + "--torchscript or --onnx model, got --tensors"), r[2]);
        r = run("embed", "--engine", "spark", "--onnx", MBF.toString(), "--images", images.toString(), "--size", "96",
                "--output", dir.resolve("o.parquet").toString());
        assertEquals("2", r[0], r[2]);
        String first = r[2].lines().filter(x -> !x.startsWith("preprocessing: ")).findFirst().orElse("");
        assertTrue(first.contains("--onnx") && first.contains("declares input") && first.contains("96x96"), r[2]);
        assertTrue(!Files.exists(dir.resolve("o.parquet")), "nothing written");
    }

    private static Map<String, Long> toLabels(Map<String, Object[]> rows) {
        Map<String, Long> labels = new TreeMap<>();
        rows.forEach((k, v) -> labels.put(k, (Long) v[0]));
        return labels;
    }

    private static double maxDifference(Map<String, Object[]> a, Map<String, Object[]> b) {
        double max = 0;
        for (String id : a.keySet()) {
            float[] x = (float[]) a.get(id)[1];
            float[] y = (float[]) b.get(id)[1];
            for (int j = 0; j < x.length; j++) {
                max = Math.max(max, Math.abs(x[j] - y[j]));
            }
        }
        return max;
    }
}
