package org.metric4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.types.DataType;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.metric4j.io.NpyFormat;

/**
 * {@code metric4j evaluate} on embeddings saved as by numpy from another framework, with a names
 * file and an LFW-style pairs file.
 */
class EvaluateCommandTest {

    private static String[] run(String... args) {
        CliRun r = CliRun.of(args);
        return new String[] {String.valueOf(r.code()), r.out(), r.err()};
    }

    @Test
    void evaluatesNumpyEmbeddingsAgainstAPairsFile(@TempDir Path dir) throws Exception {
        int people = 20;
        int perPerson = 4;
        int dim = 8;
        Random rnd = new Random(4);
        double[][] means = new double[people][dim];
        for (double[] m : means) {
            for (int j = 0; j < dim; j++) {
                m[j] = rnd.nextGaussian();
            }
        }
        double[] v = new double[people * perPerson * dim];
        long[] labels = new long[people * perPerson];
        List<String> names = new ArrayList<>();
        for (int p = 0; p < people; p++) {
            for (int i = 0; i < perPerson; i++) {
                int row = p * perPerson + i;
                labels[row] = p;
                names.add(String.format("P%02d/P%02d_%04d.jpg", p, p, i + 1));
                for (int j = 0; j < dim; j++) {
                    v[row * dim + j] = means[p][j] + 0.15 * rnd.nextGaussian();
                }
            }
        }
        try (OutputStream out = Files.newOutputStream(dir.resolve("emb.npy"))) {
            NpyFormat.write(out, v, labels.length, dim, DataType.FLOAT32);
        }
        try (OutputStream out = Files.newOutputStream(dir.resolve("labels.npy"))) {
            NpyFormat.writeLongs(out, labels);
        }
        Files.write(dir.resolve("names.txt"), names);
        List<String> pairs = new ArrayList<>();
        pairs.add("2 5");
        for (int f = 0; f < 2; f++) {
            for (int k = 0; k < 5; k++) {
                int p = f * 5 + k;
                pairs.add(String.format("P%02d\t1\t%d", p, 2 + k % 3));
            }
            for (int k = 0; k < 5; k++) {
                int p = f * 5 + k;
                pairs.add(String.format("P%02d\t1\tP%02d\t2", p, p + 10));
            }
        }
        Files.write(dir.resolve("pairs.txt"), pairs);
        String[] r = run("evaluate", "--embeddings", dir.resolve("emb.npy").toString(),
                "--labels", dir.resolve("labels.npy").toString(), "--names", dir.resolve("names.txt").toString(),
                "--pairs", dir.resolve("pairs.txt").toString(), "--retrieval", "--clustering");
        assertEquals("0", r[0], r[2]);
        assertTrue(r[1].contains("verification: 20 pairs in 2 folds (0 skipped"), r[1]);
        String[] lines = r[1].strip().split("\n");
        JsonObject json = JsonParser.parseString(lines[lines.length - 1]).getAsJsonObject();
        assertTrue(json.get("accuracy_mean").getAsDouble() >= 0.9, r[1]);
        assertTrue(json.get("precision_at_1").getAsDouble() > 0.9, r[1]);
        assertTrue(json.get("nmi").getAsDouble() > 0.9, r[1]);

        // a pair naming an image without an embedding: an error, unless skipping is asked for
        pairs.set(1, "Nobody\t1\t2");
        Files.write(dir.resolve("pairs2.txt"), pairs);
        r = run("evaluate", "--embeddings", dir.resolve("emb.npy").toString(),
                "--names", dir.resolve("names.txt").toString(), "--pairs", dir.resolve("pairs2.txt").toString());
        assertEquals("2", r[0], r[2]);
        assertTrue(r[2].contains("line 2") && r[2].contains("Nobody/Nobody_0001"), r[2]);
        r = run("evaluate", "--embeddings", dir.resolve("emb.npy").toString(),
                "--names", dir.resolve("names.txt").toString(), "--pairs", dir.resolve("pairs2.txt").toString(),
                "--skip-missing");
        assertEquals("0", r[0], r[2]);
        assertTrue(r[1].contains("(1 skipped for missing embeddings)"), r[1]);
    }

    @Test
    void missingInputsAreExplained() {
        String[] r = run("evaluate", "--embeddings", "/nonexistent/e.npy", "--retrieval");
        assertEquals("2", r[0]);
        assertTrue(r[2].contains("no such file"), r[2]);
        r = run("evaluate", "--embeddings", "/nonexistent/e.npy");
        assertEquals("2", r[0]);
        assertTrue(r[2].contains("nothing to evaluate"), r[2]);
    }

    @Test
    void aMissingEngineNamesWhatToBuild(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path f = dir.resolve("e.csv");
        java.nio.file.Files.writeString(f, "a,0,1,0\nb,0,0.9,0.1\nc,1,0,1\nd,1,0.1,0.9\n");
        CliRun r = CliRun.of("evaluate", "--engine", "spark", "--embeddings", f.toString(), "--retrieval");
        org.junit.jupiter.api.Assertions.assertEquals(2, r.code(), r.err()); // an option naming what is not installed
        org.junit.jupiter.api.Assertions.assertTrue(r.err().contains("--engine spark is not on the class path")
                && r.err().contains("metric4j-spark"), r.err());
    }
}
