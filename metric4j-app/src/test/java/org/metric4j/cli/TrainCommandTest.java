package org.metric4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.metric4j.TestDevice;
import org.metric4j.io.EmbeddingFiles;

/** {@code metric4j train}: a tiny run end to end, its outputs, resume, and bad input. */
class TrainCommandTest {

    private static String[] run(String... args) {
        CliRun r = CliRun.of(args);
        return new String[] {String.valueOf(r.code()), r.out(), r.err()};
    }

    private static String[] tiny(Path out, int epochs, String... extra) {
        String[] base = {"train", "--dataset",
            "synthetic-faces:identities=6,images=6,size=32,channels=1,eval-identities=4,eval-images=4,pairs=20",
            "--backbone", "lenetpp:dim=8", "--loss", "arcface:scale=16,margin=0.2", "--optimizer", "adam",
            "--lr", "constant:lr=0.003", "--batch-size", "12", "--epochs", String.valueOf(epochs),
            "--output", out.toString(), "--no-progress", "--device", TestDevice.name()};
        String[] all = new String[base.length + extra.length];
        System.arraycopy(base, 0, all, 0, base.length);
        System.arraycopy(extra, 0, all, base.length, extra.length);
        return run(all);
    }

    @Test
    void trainsWritesOutputsAndResumes(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("run");
        String[] r = tiny(out, 2);
        assertEquals("0", r[0], r[2]);
        assertTrue(r[1].contains("epoch=2") && r[1].contains("verification_auc="), r[1]);
        for (String f : new String[] {"metrics.csv", "model/backbone.params", "embeddings.npy", "labels.npy",
            "names.txt", "run.json", "checkpoints/epoch-0001/state.json"}) {
            assertTrue(Files.exists(out.resolve(f)), "missing " + f);
        }
        Path npy = dir.resolve("exported/e.npy");
        r = run("embed", "--model", out.resolve("model").toString(), "--output", npy.toString(),
                "--device", TestDevice.name());
        assertEquals("0", r[0], r[2]);
        org.metric4j.eval.EmbeddingSet e =
                EmbeddingFiles.readNpy(npy, dir.resolve("exported/e-labels.npy"));
        assertEquals(16, e.size());
        assertEquals(8, e.dim());
        r = run("embed", "--model", out.resolve("model").toString(), "--output", npy.toString());
        assertEquals("2", r[0]);
        assertTrue(r[2].contains("--force"), r[2]);
        r = tiny(out, 3);
        assertEquals("2", r[0]);
        assertTrue(r[2].contains("exists") && r[2].contains("--resume") && r[2].contains("--force"), r[2]);
        r = tiny(out, 3, "--resume");
        assertEquals("0", r[0], r[2]);
        assertTrue(r[1].contains("epoch=3"), r[1]);
        assertEquals(4, Files.readAllLines(out.resolve("metrics.csv")).size());
    }

    @Test
    void listAndBadNames() {
        String[] r = run("train", "--list");
        assertEquals("0", r[0]);
        for (String s : new String[] {"fashion-mnist", "synthetic-faces", "lenetpp", "faceresnet", "arcface",
            "sphereface", "triplet", "semihard", "cosine"}) {
            assertTrue(r[1].contains(s), "--list should mention " + s + ":\n" + r[1]);
        }
        r = run("train", "--loss", "arcfase", "--dataset", "synthetic-faces:identities=4,images=4,size=32");
        assertEquals("2", r[0], r[2]);
        assertTrue(r[2].contains("unknown loss 'arcfase'") && r[2].contains("arcface"), r[2]);
        r = run("train", "--pk", "1x4", "--loss", "triplet", "--dataset", "synthetic-faces:identities=4,images=4,size=32");
        assertEquals("2", r[0], r[2]);
        assertTrue(r[2].contains("--pk"), r[2]);
    }
}
