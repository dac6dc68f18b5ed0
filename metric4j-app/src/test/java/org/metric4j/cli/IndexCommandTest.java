package org.metric4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.types.DataType;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.metric4j.eval.EmbeddingSet;
import org.metric4j.io.EmbeddingFiles;

/** {@code metric4j index build | search | evaluate} end to end on small clustered embeddings. */
class IndexCommandTest {

    /** 40 identities: gallery 3 images each of identities 0-29; probes 1 image of each of 0-39 (10 unseen). */
    private static EmbeddingSet sample(long seed, int firstId, int ids, int per) {
        java.util.Random centers = new java.util.Random(99);
        java.util.Random rnd = new java.util.Random(seed);
        int d = 16;
        double[][] c = new double[40][d];
        for (double[] row : c) {
            for (int j = 0; j < d; j++) {
                row[j] = centers.nextGaussian();
            }
        }
        double[] v = new double[ids * per * d];
        long[] labels = new long[ids * per];
        String[] names = new String[ids * per];
        for (int i = 0; i < ids * per; i++) {
            int id = firstId + i / per;
            for (int j = 0; j < d; j++) {
                v[i * d + j] = c[id][j] + 0.3 * rnd.nextGaussian();
            }
            labels[i] = id;
            names[i] = "p" + id + "_" + (i % per);
        }
        return new EmbeddingSet(v, ids * per, d, labels, names);
    }

    @Test
    void buildSearchEvaluateAndBadInput(@TempDir Path dir) throws Exception {
        EmbeddingSet gallery = sample(1, 0, 30, 3);
        EmbeddingFiles.writeNpy(gallery, dir.resolve("g.npy"), dir.resolve("g-labels.npy"), DataType.FLOAT32);
        Files.write(dir.resolve("g-names.txt"), Arrays.asList(gallery.names()));
        EmbeddingSet probes = sample(2, 0, 40, 1);
        EmbeddingFiles.writeNpy(probes, dir.resolve("p.npy"), dir.resolve("p-labels.npy"), DataType.FLOAT32);
        Path index = dir.resolve("gallery");

        CliRun r = CliRun.of("index", "build", "--embeddings", dir.resolve("g.npy").toString(), "--labels",
                dir.resolve("g-labels.npy").toString(), "--names", dir.resolve("g-names.txt").toString(),
                "--index", index.toString(), "--m", "8");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("indexed 90 x 16") && r.out().contains("M 8"), r.out());

        r = CliRun.of("index", "build", "--embeddings", dir.resolve("g.npy").toString(), "--index", index.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--index " + index + " exists") && r.err().contains("--force"), r.err());

        r = CliRun.of("index", "search", "--index", index.toString(), "--embeddings", dir.resolve("p.npy").toString(),
                "--labels", dir.resolve("p-labels.npy").toString(), "--k", "3");
        assertEquals(0, r.code(), r.err());
        List<String> lines = r.out().lines().toList();
        assertEquals(40, lines.size(), r.out());
        JsonObject first = JsonParser.parseString(lines.get(5)).getAsJsonObject();
        assertEquals(5, first.get("label").getAsLong());
        assertEquals(3, first.getAsJsonArray("hits").size());
        JsonObject best = first.getAsJsonArray("hits").get(0).getAsJsonObject();
        assertEquals(5, best.get("label").getAsLong(), first.toString());
        assertTrue(best.get("id").getAsString().startsWith("p5_"), first.toString());

        r = CliRun.of("index", "search", "--index", index.toString(), "--embeddings", dir.resolve("p.npy").toString(),
                "--threshold", "0.99");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().lines().allMatch(l -> l.contains("\"rejected\":true")), r.out());

        r = CliRun.of("index", "evaluate", "--index", index.toString(), "--embeddings", dir.resolve("p.npy").toString(),
                "--labels", dir.resolve("p-labels.npy").toString(), "--max-rank", "5");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("40 probes (30 mated, 10 non-mated) against 90 gallery items"), r.out());
        String json = r.out().lines().filter(l -> l.startsWith("{")).findFirst().orElseThrow();
        JsonObject o = JsonParser.parseString(json).getAsJsonObject();
        assertEquals(1.0, o.getAsJsonArray("exact_cmc").get(0).getAsDouble(), 1e-9, json);
        assertEquals(1.0, o.get("recall_at_10").getAsDouble(), 1e-9, json);
        assertTrue(o.getAsJsonObject("exact_dir_at_fpir").has("0.1"), json);

        EmbeddingSet wrong = sample(3, 0, 2, 1).withLabels(new long[] {0, 1});
        EmbeddingSet narrow = new EmbeddingSet(Arrays.copyOf(wrong.values(), 2 * 8), 2, 8, new long[] {0, 1},
                new String[] {"a", "b"});
        EmbeddingFiles.writeNpy(narrow, dir.resolve("n.npy"), dir.resolve("n-labels.npy"), DataType.FLOAT32);
        r = CliRun.of("index", "search", "--index", index.toString(), "--embeddings", dir.resolve("n.npy").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("8-d") && r.err().contains("16-d"), r.err());
        r = CliRun.of("index", "search", "--index", dir.resolve("nowhere").toString(), "--embeddings",
                dir.resolve("p.npy").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("nowhere"), r.err());
        r = CliRun.of("index", "evaluate", "--index", index.toString(), "--embeddings", dir.resolve("p.npy").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("probe labels"), r.err());
    }

    @Test
    void parentNeedsASubcommandAndEachSubcommandHasItsOwnHelp() {
        CliRun r = CliRun.of("index");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("index needs a subcommand: build, search or evaluate"), r.err());

        r = CliRun.of("index", "build", "--help");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("--beam-width") && r.out().contains("(default: 100)")
                && r.out().contains("--embeddings"), r.out());
        r = CliRun.of("index", "search", "--help");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("--threshold") && r.out().contains("--exact"), r.out());
        r = CliRun.of("index", "evaluate", "--help");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("--fpir") && r.out().contains("(default: 0.01,0.1)"), r.out());
    }
}
