package org.metric4j.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.metric4j.TestDevice;

/**
 * {@code metric4j train} with arcface_torch's recipe options (SGD with weight decay on every
 * parameter, the poly schedule, clipping, gradient accumulation, flips): run.json records them,
 * and a run resumed between the two batches of an accumulation equals the uninterrupted run.
 */
class TrainRecipeCommandTest {

    /** 36 images in batches of 12: 3 batches per epoch, so with K = 2 epoch 1 ends mid-accumulation. */
    private static CliRun tiny(Path out, int epochs, String... extra) {
        return accumulating(out, epochs, "2", extra);
    }

    private static CliRun accumulating(Path out, int epochs, String accumulation, String... extra) {
        List<String> args = new java.util.ArrayList<>(List.of("train", "--dataset",
                "synthetic-faces:identities=6,images=6,size=32,channels=1,eval-identities=4,eval-images=4,pairs=20",
                "--backbone", "lenetpp:dim=8", "--loss", "arcface:scale=16,margin=0.2", "--optimizer", "sgd",
                "--lr", "poly:lr=0.05,epochs=3,power=1", "--weight-decay-all", "--clip-grad-norm", "5",
                "--grad-accumulation", accumulation, "--flip", "--batch-size", "12", "--epochs", String.valueOf(epochs),
                "--output", out.toString(), "--no-progress", "--device", TestDevice.name()));
        args.addAll(List.of(extra));
        return CliRun.of(args.toArray(String[]::new));
    }

    @Test
    void recordsTheRecipeAndResumesExactlyInsideAnAccumulation(@TempDir Path dir) throws Exception {
        Path whole = dir.resolve("whole");
        CliRun r = tiny(whole, 3);
        assertEquals(0, r.code(), r.err());
        JsonObject run = JsonParser.parseString(Files.readString(whole.resolve("run.json"))).getAsJsonObject();
        JsonObject options = run.getAsJsonObject("options");
        assertEquals("sgd", options.get("optimizer").getAsString());
        assertTrue(options.get("weight-decay-all").getAsBoolean(), options.toString());
        assertEquals(5.0, options.get("clip-grad-norm").getAsDouble(), options.toString());
        assertEquals(2, options.get("grad-accumulation").getAsInt(), options.toString());
        assertTrue(options.get("flip").getAsBoolean(), options.toString());
        assertEquals("poly:end=0.0,epochs=3,lr=0.05,power=1.0,warmup=0,warmup-epochs=0", options.get("lr").getAsString());
        JsonObject components = run.getAsJsonObject("components");
        assertEquals("all parameters", components.get("weight-decay-of").getAsString());
        assertEquals("2", components.get("grad-accumulation").getAsString());
        assertEquals("PolynomialLRWarmup(lr=0.05, warmup=0, total=9, power=1.0)",
                components.get("lr").getAsString());

        Path split = dir.resolve("split");
        r = tiny(split, 1);
        assertEquals(0, r.code(), r.err());
        r = tiny(split, 3, "--resume");
        assertEquals(0, r.code(), r.err());
        assertEquals(withoutTimings(whole.resolve("metrics.csv")), withoutTimings(split.resolve("metrics.csv")),
                "the metrics of every epoch");
        assertArrayEquals(Files.readAllBytes(whole.resolve("model/backbone.params")),
                Files.readAllBytes(split.resolve("model/backbone.params")), "the trained backbone");
    }

    /** metrics.csv without its wall-clock columns (seconds, images_per_second, loop_overhead). */
    private static List<String> withoutTimings(Path csv) throws java.io.IOException {
        List<String> lines = Files.readAllLines(csv);
        List<String> header = List.of(lines.get(0).split(",", -1));
        List<Integer> timing = List.of(header.indexOf("seconds"), header.indexOf("images_per_second"),
                header.indexOf("loop_overhead"));
        assertTrue(!timing.contains(-1) && lines.size() == 4, lines.toString());
        return lines.stream().map(l -> {
            String[] cells = l.split(",", -1);
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < cells.length; i++) {
                if (!timing.contains(i)) {
                    sb.append(cells[i]).append(',');
                }
            }
            return sb.toString();
        }).toList();
    }

    @Test
    void aBadAccumulationNamesTheOption(@TempDir Path dir) {
        CliRun r = accumulating(dir.resolve("bad"), 1, "0");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("--grad-accumulation must be >= 1 batches, got 0"), r.err());
    }
}
