package org.metric4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.metric4j.eval.EmbeddingSet;
import org.metric4j.io.EmbeddingFiles;
import org.metric4j.model.ModelFixtures;

/**
 * {@code embed --onnx}: the fixture's MobileFaceNet over an image folder and over {@code --tensors},
 * the preprocessing line on stderr, {@code preprocessing.json} beside the model and the options
 * that override it, and bad option values (one line, exit code 2).
 */
class EmbedOnnxCommandTest {

    private static Path fixtures;

    @BeforeAll
    static void locate() throws Exception {
        fixtures = ModelFixtures.insightFaceDir();
    }

    @Test
    void embedsAnImageFolderAndTensorsLikeTheFixture(@TempDir Path tmp) throws Exception {
        Path folder = Files.createDirectories(tmp.resolve("faces/p"));
        BufferedImage[] images = ModelFixtures.images();
        for (int i = 0; i < images.length; i++) {
            ImageIO.write(images[i], "png", folder.resolve(i + ".png").toFile());
        }
        double[][] expected = ModelFixtures.expected("embedding");
        for (String model : new String[] {"mbf.onnx", "mbf_b1.onnx"}) {
            Path out = tmp.resolve(model + "-images.npy");
            CliRun run = CliRun.of("embed", "--onnx", fixtures.resolve(model).toString(), "--images",
                    tmp.resolve("faces").toString(), "--output", out.toString(), "--batch-size", "3");
            assertEquals(0, run.code(), run.err());
            assertTrue(run.err().contains("preprocessing: 112x112 RGB NCHW resize, (v - 127.5) / 127.5, no flip-sum")
                    && run.err().contains("no leading Sub and Mul"), run.err());
            assertTrue(ModelFixtures.relativeError(expected, rows(out)) <= 4e-6, model + " via --images");

            Path x = tmp.resolve("x.npy");
            ModelFixtures.writeNpy(x, ModelFixtures.tensor(), images.length, 3, 112, 112);
            out = tmp.resolve(model + "-tensors.npy");
            run = CliRun.of("embed", "--onnx", fixtures.resolve(model).toString(), "--tensors", x.toString(),
                    "--output", out.toString(), "--flip-sum");
            assertEquals(0, run.code(), run.err());
            assertTrue(run.err().contains("flip-sum") && run.err().contains("--flip-sum from the command line"), run.err());
            assertTrue(ModelFixtures.relativeError(ModelFixtures.expected("flip_sum_l2_normalized"), rows(out)) <= 4e-6,
                    model + " via --tensors --flip-sum");
        }
    }

    @Test
    void theFileBesideTheModelIsReadAndOptionsOverrideIt(@TempDir Path tmp) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("model"));
        Path tiny = ModelFixtures.tinyOnnx(dir.resolve("tiny.onnx"), 8, 8);
        Path folder = Files.createDirectories(tmp.resolve("faces/p"));
        BufferedImage img = new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 8; y++) {
            for (int x = 0; x < 8; x++) {
                img.setRGB(x, y, 30 << 16 | 90 << 8 | 250);
            }
        }
        ImageIO.write(img, "png", folder.resolve("a.png").toFile());
        Path out = tmp.resolve("e.npy");
        // the rule: normalized inside, mean 0, std 1
        CliRun run = CliRun.of("embed", "--onnx", tiny.toString(), "--images", tmp.resolve("faces").toString(),
                "--output", out.toString());
        assertEquals(0, run.code(), run.err());
        assertTrue(run.err().contains("8x8 RGB NCHW resize, (v - 0) / 1") && run.err().contains("normalizes inside"),
                run.err());
        assertRow(new double[] {30, 90, 250}, rows(out)[0]);

        Files.writeString(dir.resolve("preprocessing.json"), "{\"mean\": 10, \"std\": [2, 4, 5]}");
        run = CliRun.of("embed", "--onnx", tiny.toString(), "--images", tmp.resolve("faces").toString(),
                "--output", out.toString(), "--force");
        assertEquals(0, run.code(), run.err());
        assertTrue(run.err().contains("(v - 10) / [2, 4, 5]") && run.err().contains("preprocessing.json"), run.err());
        assertRow(new double[] {(30 - 10) / 2.0, (90 - 10) / 4.0, (250 - 10) / 5.0}, rows(out)[0]);

        run = CliRun.of("embed", "--onnx", tiny.toString(), "--images", tmp.resolve("faces").toString(),
                "--output", out.toString(), "--force", "--mean", "0,0,50", "--bgr");
        assertEquals(0, run.code(), run.err());
        assertTrue(run.err().contains("BGR") && run.err().contains("--mean --bgr from the command line"), run.err());
        // BGR: channel 0 is blue, with mean 0 and the file's std 2
        assertRow(new double[] {250 / 2.0, 90 / 4.0, (30 - 50) / 5.0}, rows(out)[0]);

        // --size against the declared 8x8 input: one line that names the declared shape
        run = CliRun.of("embed", "--onnx", tiny.toString(), "--images", tmp.resolve("faces").toString(),
                "--output", out.toString(), "--force", "--size", "16");
        assertEquals(2, run.code(), run.err());
        // the preprocessing line, then the error in one line
        java.util.List<String> lines = run.err().strip().lines().toList();
        assertEquals(2, lines.size(), run.err());
        assertTrue(lines.get(0).startsWith("preprocessing: 16x16") && lines.get(0).contains("--size from the command line"),
                lines.get(0));
        assertTrue(lines.get(1).startsWith("metric4j embed: error: ") && lines.get(1).contains("[batch, 3, 8, 8]")
                && lines.get(1).contains("16x16") && lines.get(1).contains("use --size 8x8"), lines.get(1));

        Files.writeString(dir.resolve("preprocessing.json"), "{\"std\": 0}");
        run = CliRun.of("embed", "--onnx", tiny.toString(), "--images", tmp.resolve("faces").toString(),
                "--output", out.toString(), "--force");
        assertEquals(2, run.code(), run.err());
        assertTrue(run.err().contains("preprocessing.json") && run.err().contains("std must be finite and > 0"),
                run.err());
    }

    /** The tiny model's output for fed values v: (v - 127.5) / 128 per channel mean. */
    private static void assertRow(double[] fed, float[] actual) {
        for (int c = 0; c < 3; c++) {
            assertEquals((fed[c] - 127.5) / 128, actual[c], 1e-6, "channel " + c);
        }
    }

    @Test
    void torchScriptKeepsInsightFacesPreprocessingByDefaultAndTakesTheOptions(@TempDir Path tmp) throws Exception {
        Path dir = Path.of(getClass().getResource("/torchscript/expected.json").toURI()).getParent();
        Path x = tmp.resolve("x.npy");
        ModelFixtures.writeNpy(x, new float[2 * 3 * 112 * 112], 2, 3, 112, 112);
        CliRun run = CliRun.of("embed", "--torchscript", dir.resolve("tiny_iresnet.pt").toString(), "--tensors",
                x.toString(), "--output", tmp.resolve("e.npy").toString());
        assertEquals(0, run.code(), run.err());
        assertEquals("preprocessing: 112x112 RGB NCHW resize, (v - 127.5) / 127.5, no flip-sum, decoded by Java ImageIO "
                + "(InsightFace's default for --torchscript)", run.err().strip());
        assertEquals(2, rows(tmp.resolve("e.npy")).length);
        run = CliRun.of("embed", "--torchscript", dir.resolve("tiny_iresnet.pt").toString(), "--tensors",
                x.toString(), "--output", tmp.resolve("f.npy").toString(), "--size", "96");
        assertEquals(2, run.code(), run.err());
        assertTrue(run.err().contains("--tensors " + x + ": expected float32 N x 3 x 96 x 96"), run.err());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "--size|0|--size 0: expected N or WxH",
            "--size|112x|--size 112x: expected N or WxH",
            "--mean|1,2|--mean 1,2: expected one value or three",
            "--mean|a|--mean a: expected one value or three",
            "--std|0|--std 0: expected one value or three comma-separated values (R,G,B), finite and > 0",
            "--std|1,-1,1|--std 1,-1,1: expected"})
    void badPreprocessingValuesAreOneLineWithExitCode2(String option, String value, String message,
            @TempDir Path tmp) throws Exception {
        Path x = tmp.resolve("x.npy");
        ModelFixtures.writeNpy(x, new float[3 * 112 * 112], 1, 3, 112, 112);
        CliRun run = CliRun.of("embed", "--onnx", fixtures.resolve("mbf.onnx").toString(), "--tensors", x.toString(),
                "--output", tmp.resolve("e.npy").toString(), option, value);
        assertEquals(2, run.code(), run.err());
        assertEquals(1, run.err().strip().lines().count(), run.err());
        assertTrue(run.err().contains(message), run.err());
        assertTrue(!Files.exists(tmp.resolve("e.npy")), "nothing written");
    }

    private static float[][] rows(Path npy) throws Exception {
        EmbeddingSet set = EmbeddingFiles.readNpy(npy, null);
        float[][] out = new float[set.size()][set.dim()];
        for (int i = 0; i < set.size(); i++) {
            for (int j = 0; j < set.dim(); j++) {
                out[i][j] = (float) set.values()[i * set.dim() + j];
            }
        }
        return out;
    }
}
