package org.metric4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.metric4j.TestDevice;

/**
 * {@code train --dataset rec:...}: a folder packed with {@code metric4j pack} trains end to end with
 * the last classes held out, and a {@code .rec} without its {@code .idx} is one clear error.
 */
class TrainRecDatasetTest {

    @TempDir Path tmp;

    /** 6 identities x 4 small PNGs, each identity a colour plus noise. */
    private Path folder() throws Exception {
        Random rnd = new Random(5);
        Path root = tmp.resolve("faces");
        for (int id = 0; id < 6; id++) {
            Path dir = Files.createDirectories(root.resolve("id" + id));
            for (int k = 0; k < 4; k++) {
                BufferedImage img = new BufferedImage(24, 24, BufferedImage.TYPE_INT_RGB);
                for (int y = 0; y < 24; y++) {
                    for (int x = 0; x < 24; x++) {
                        int base = (id * 40 + (x < 12 ? 0 : 60)) & 0xff;
                        int v = Math.min(255, base + rnd.nextInt(30));
                        img.setRGB(x, y, v << 16 | (255 - v) << 8 | (id * 37 & 0xff));
                    }
                }
                ImageIO.write(img, "png", dir.resolve(k + ".png").toFile());
            }
        }
        return root;
    }

    @Test
    void trainsOnAPackedRecWithTheLastClassesHeldOut() throws Exception {
        Path rec = tmp.resolve("rec/train.rec");
        Files.createDirectories(rec.getParent());
        CliRun p = CliRun.of("pack", "--images", folder().toString(), "--output", rec.toString());
        assertEquals(0, p.code(), p.err());
        Path out = tmp.resolve("run");
        CliRun r = CliRun.of("train", "--dataset", "rec:path=" + rec.getParent() + ",holdout=2,size=32,channels=1,pairs=10,threads=2",
                "--backbone", "lenetpp:dim=8", "--loss", "arcface:scale=16,margin=0.2", "--optimizer", "adam",
                "--lr", "constant:lr=0.003", "--batch-size", "8", "--epochs", "1",
                "--output", out.toString(), "--no-progress", "--device", TestDevice.name());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("epoch=1") && r.out().contains("verification_auc="), r.out());
        assertTrue(Files.exists(out.resolve("run.json")));
        String runJson = Files.readString(out.resolve("run.json"));
        assertTrue(runJson.contains("16 images of 4 classes; last 2 classes held out, 8 images"), runJson);
    }

    @Test
    void aMissingIdxSaysHowToBuildIt() throws Exception {
        Path src = Path.of(getClass().getResource("/insightface/recordio/face2rec2/train.rec").toURI());
        Files.copy(src, tmp.resolve("train.rec"));
        CliRun r = CliRun.of("train", "--dataset", "rec:path=" + tmp.resolve("train.rec"), "--backbone", "lenetpp:dim=8",
                "--epochs", "1", "--output", tmp.resolve("run").toString(), "--no-progress");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains(tmp.resolve("train.idx") + " not found") && r.err().contains("metric4j pack")
                && r.err().contains("im2rec"), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
    }
}
