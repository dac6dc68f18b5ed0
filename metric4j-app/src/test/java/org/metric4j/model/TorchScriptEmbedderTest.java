package org.metric4j.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.metric4j.TestDevice;
import org.metric4j.io.EmbeddingFiles;

/**
 * A network traced in PyTorch (the fixture's tiny InsightFace-style model) reproduces its
 * embeddings through DJL within the fixture's tolerance (1e-4 absolute), flip-sum included.
 */
class TorchScriptEmbedderTest {

    private static final double TOLERANCE = 1e-4;

    @Test
    void reproducesTheTracedModelsEmbeddings() throws Exception {
        Path dir = Path.of(getClass().getResource("/torchscript/expected.json").toURI()).getParent();
        JsonObject expected = JsonParser.parseString(
                Files.readString(dir.resolve("expected.json"), StandardCharsets.UTF_8)).getAsJsonObject();
        JsonArray names = expected.getAsJsonArray("images");
        BufferedImage[] images = new BufferedImage[names.size()];
        for (int i = 0; i < images.length; i++) {
            images[i] = ImageIO.read(dir.resolve(names.get(i).getAsString()).toFile());
        }
        try (TorchScriptEmbedder model = TorchScriptEmbedder.load(dir.resolve(expected.get("model").getAsString()), 112, 112,
                TestDevice.get())) {
            check("embeddings", expected.getAsJsonArray("embeddings"), model.embed(images, false));
            check("flip_sum_normalized", expected.getAsJsonArray("flip_sum_normalized"), model.embed(images, true));
        }
    }

    private static void check(String what, JsonArray expected, float[][] actual) {
        assertEquals(expected.size(), actual.length, what);
        double worst = 0;
        for (int i = 0; i < actual.length; i++) {
            JsonArray row = expected.get(i).getAsJsonArray();
            assertEquals(row.size(), actual[i].length, what + " width");
            for (int j = 0; j < row.size(); j++) {
                worst = Math.max(worst, Math.abs(row.get(j).getAsDouble() - actual[i][j]));
            }
        }
        assertTrue(worst <= TOLERANCE, what + ": largest difference " + worst + " > " + TOLERANCE);
    }

    @Test
    void embedCommandRunsTheTorchScriptModelOverAnImageFolder(@TempDir Path tmp) throws Exception {
        Path dir = Path.of(getClass().getResource("/torchscript/expected.json").toURI()).getParent();
        JsonObject expected = JsonParser.parseString(
                Files.readString(dir.resolve("expected.json"), StandardCharsets.UTF_8)).getAsJsonObject();
        JsonArray names = expected.getAsJsonArray("images");
        Path folder = Files.createDirectories(tmp.resolve("faces/person"));
        for (int i = 0; i < names.size(); i++) {
            Files.copy(dir.resolve(names.get(i).getAsString()), folder.resolve(names.get(i).getAsString()));
        }
        Path out = tmp.resolve("out/e.npy");
        var cli = org.metric4j.cli.Metric4j.commandLine();
        java.io.StringWriter err = new java.io.StringWriter();
        cli.setErr(new java.io.PrintWriter(err));
        cli.setOut(new java.io.PrintWriter(new java.io.StringWriter()));
        int code = cli.execute("embed", "--torchscript", dir.resolve("tiny_iresnet.pt").toString(),
                "--images", tmp.resolve("faces").toString(), "--flip-sum", "--output", out.toString());
        assertEquals(0, code, err.toString());
        org.metric4j.eval.EmbeddingSet set = EmbeddingFiles.readNpy(out, null);
        double[] v = set.values();
        float[][] actual = new float[set.size()][set.dim()];
        for (int i = 0; i < set.size(); i++) {
            for (int j = 0; j < set.dim(); j++) {
                actual[i][j] = (float) v[i * set.dim() + j];
            }
        }
        check("flip_sum_normalized via embed", expected.getAsJsonArray("flip_sum_normalized"), actual);
    }

    @Test
    void aMissingOrBrokenModelFileIsNamed(@TempDir Path dir) throws Exception {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TorchScriptEmbedder.load(dir.resolve("nope.pt"), 112, 112));
        assertTrue(e.getMessage().contains("nope.pt"), e.getMessage());
        Path junk = Files.writeString(dir.resolve("junk.pt"), "not a model");
        e = assertThrows(IllegalArgumentException.class, () -> TorchScriptEmbedder.load(junk, 112, 112));
        assertTrue(e.getMessage().contains("junk.pt") && e.getMessage().contains("TorchScript"), e.getMessage());
    }
}
