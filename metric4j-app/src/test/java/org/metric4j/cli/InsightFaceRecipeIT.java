package org.metric4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.metric4j.TestDevice;

/**
 * InsightFace's workflow end to end through the CLI on a tiny set: an image folder packed into a
 * face2rec2 {@code .rec}, trained from it with PartialFC ({@code --sample-rate}), arcface_torch's
 * recipe (SGD with weight decay on every parameter, the poly schedule, clipping, accumulation,
 * flip) and a {@code .bin} validation set; the best model is kept and {@code evaluate --bin}
 * scores it to the accuracy the run recorded.
 */
@Tag("heavy")
class InsightFaceRecipeIT {

    /** 8 identities x 5 JPEGs of 112 x 112: a colour layout per identity plus noise. */
    private static Path folder(Path root) throws Exception {
        Random rnd = new Random(11);
        for (int id = 0; id < 8; id++) {
            Path dir = Files.createDirectories(root.resolve("id" + id));
            int[] colours = {rnd.nextInt(0xffffff), rnd.nextInt(0xffffff), rnd.nextInt(0xffffff)};
            for (int k = 0; k < 5; k++) {
                BufferedImage img = new BufferedImage(112, 112, BufferedImage.TYPE_INT_RGB);
                for (int y = 0; y < 112; y++) {
                    for (int x = 0; x < 112; x++) {
                        int c = colours[(x / 38 + y / 56 + id) % 3];
                        int noise = rnd.nextInt(40) - 20;
                        int r = Math.max(0, Math.min(255, (c >> 16 & 0xff) + noise));
                        int g = Math.max(0, Math.min(255, (c >> 8 & 0xff) + noise));
                        int b = Math.max(0, Math.min(255, (c & 0xff) + noise));
                        img.setRGB(x, y, r << 16 | g << 8 | b);
                    }
                }
                ImageIO.write(img, "jpg", dir.resolve(k + ".jpg").toFile());
            }
        }
        return root;
    }

    @Test
    void packTrainWithTheRecipeValidateAndEvaluateTheBestModel(@TempDir Path dir) throws Exception {
        Path rec = dir.resolve("faces_rec/train.rec");
        Files.createDirectories(rec.getParent());
        CliRun p = CliRun.of("pack", "--images", folder(dir.resolve("faces")).toString(), "--output", rec.toString(),
                "--layout", "face2rec2");
        assertEquals(0, p.code(), p.err());
        assertTrue(Files.isRegularFile(rec.resolveSibling("train.idx")));
        Path val = TrainValCommandTest.smallBin(dir, "lfw", 20);
        Path out = dir.resolve("run");
        CliRun r = CliRun.of("train", "--dataset", "rec:path=" + rec.getParent() + ",holdout=2,pairs=10,threads=2",
                "--backbone", "iresnet:layers=1-1-1-1,dim=64", "--loss", "arcface:scale=16,margin=0.3",
                "--sample-rate", "0.5", "--optimizer", "sgd", "--momentum", "0.9", "--weight-decay", "5e-4",
                "--weight-decay-all", "--lr", "poly:lr=0.05,epochs=2,warmup-epochs=0,power=1", "--clip-grad-norm", "5",
                "--grad-accumulation", "2", "--flip", "--val", val.toString(), "--batch-size", "8", "--epochs", "2",
                "--output", out.toString(), "--no-progress", "--device", TestDevice.name());
        assertEquals(0, r.code(), r.err());

        List<String> csv = Files.readAllLines(out.resolve("metrics.csv"));
        assertEquals(3, csv.size(), String.join("\n", csv));
        List<String> header = Arrays.asList(csv.get(0).split(","));
        assertTrue(header.containsAll(List.of("lfw_accuracy", "lfw_xnorm", "lfw_val_at_far_1e-3", "verification_auc")),
                header.toString());
        for (int row = 1; row < 3; row++) {
            String[] v = csv.get(row).split(",");
            assertTrue(Double.isFinite(Double.parseDouble(v[header.indexOf("loss")])), csv.get(row));
            assertTrue(Double.parseDouble(v[header.indexOf("lfw_xnorm")]) > 0, csv.get(row));
        }

        JsonObject run = JsonParser.parseString(Files.readString(out.resolve("run.json"))).getAsJsonObject();
        JsonObject options = run.getAsJsonObject("options");
        assertEquals(0.5, options.get("sample-rate").getAsDouble());
        assertEquals(5.0, options.get("clip-grad-norm").getAsDouble());
        assertEquals(2, options.get("grad-accumulation").getAsInt());
        assertTrue(options.get("flip").getAsBoolean() && options.get("weight-decay-all").getAsBoolean(), options.toString());
        assertEquals(val.toString(), options.getAsJsonArray("val").get(0).getAsString());
        String loss = run.getAsJsonObject("components").get("loss.0").getAsString();
        assertTrue(loss.contains("PartialCosineClassifier") && loss.contains("sampleRate=0.5")
                && loss.contains("update=OPTIMIZER"), loss);

        JsonObject best = JsonParser.parseString(Files.readString(out.resolve("best/best.json"))).getAsJsonObject();
        assertEquals("lfw_accuracy", best.get("metric").getAsString());
        CliRun e = CliRun.of("evaluate", "--bin", val.toString(), "--model", out.resolve("best").toString(),
                "--device", TestDevice.name());
        assertEquals(0, e.code(), e.err());
        String[] lines = e.out().strip().split("\n");
        double accuracy = JsonParser.parseString(lines[lines.length - 1]).getAsJsonObject().getAsJsonObject("sets")
                .getAsJsonObject("lfw").get("accuracy_mean").getAsDouble();
        assertEquals(best.get("value").getAsDouble(), accuracy, 1e-12, e.out());
    }
}
