package org.metric4j.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.types.DataType;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.metric4j.cli.Metric4j;
import org.metric4j.io.EmbeddingFiles;

/** {@code embed --engine spark} and {@code evaluate --engine spark} through the command line, in local[2]. */
class SparkCliTest {

    private static String[] run(String... args) {
        StringWriter o = new StringWriter();
        StringWriter e = new StringWriter();
        var cli = Metric4j.commandLine();
        cli.setOut(new PrintWriter(o));
        cli.setErr(new PrintWriter(e));
        int code = Metric4j.execute(cli, args);
        return new String[] {String.valueOf(code), o.toString(), e.toString()};
    }

    @Test
    void embedThenEvaluateOnSpark(@TempDir Path dir) throws Exception {
        Path images = dir.resolve("images");
        String[][] layout = {{"alice", "face_0.png"}, {"alice", "face_1.png"}, {"bob", "face_2.png"},
            {"bob", "face_3.png"}};
        for (String[] f : layout) {
            Files.createDirectories(images.resolve(f[0]));
            Files.copy(SparkEmbeddingTest.FIXTURE.resolve(f[1]), images.resolve(f[0]).resolve(f[1]));
        }
        Path out = dir.resolve("emb.parquet");
        String model = SparkEmbeddingTest.FIXTURE.resolve("tiny_iresnet.pt").toString();
        String[] r = run("embed", "--engine", "spark", "--master", "local[2]", "--torchscript", model,
                "--images", images.toString(), "--output", out.toString(), "--partitions", "2");
        assertEquals("0", r[0], r[2]);
        assertTrue(r[1].contains("embedded 4 of 4 images") && r[1].contains("0 unreadable"), r[1]);
        r = run("embed", "--engine", "spark", "--master", "local[2]", "--torchscript", model,
                "--images", images.toString(), "--output", out.toString());
        assertEquals("2", r[0]);
        assertTrue(r[2].contains("exists") && r[2].contains("--force"), r[2]);
        r = run("evaluate", "--engine", "spark", "--master", "local[2]", "--embeddings", out.toString(),
                "--retrieval", "--partitions", "2");
        assertEquals("2", r[0], r[2]); // bad input (IllegalArgumentException): exit code 2
        assertTrue(r[2].contains("recall K must be in [1, 3]"), "4 items cannot give Recall@8: " + r[2]);
        org.metric4j.eval.EmbeddingSet set = ShardedMetricsTest.clustered(5, 200, 10, 16);
        EmbeddingFiles.writeNpy(set, dir.resolve("e.npy"), dir.resolve("e-labels.npy"), DataType.FLOAT32);
        r = run("evaluate", "--engine", "spark", "--master", "local[2]", "--embeddings", dir.resolve("e.npy").toString(),
                "--labels", dir.resolve("e-labels.npy").toString(), "--retrieval", "--partitions", "3");
        assertEquals("0", r[0], r[2]);
        assertTrue(r[1].contains("\"embeddings\":200") && r[1].contains("\"shards\":3")
                && r[1].contains("precision_at_1"), r[1]);
        r = run("embed", "--engine", "spark", "--master", "spark://127.0.0.1:1", "--torchscript", model,
                "--images", images.toString(), "--output", dir.resolve("x.parquet").toString());
        assertEquals("2", r[0], r[2]); // --master names no reachable master: bad input
        assertTrue(r[2].contains("spark://127.0.0.1:1") && r[2].contains("no Spark master"), r[2]);
    }

    @Test
    void sparkConfReachesTheSessionAndABadFormIsExitTwo(@TempDir Path dir) throws Exception {
        org.metric4j.eval.EmbeddingSet set = ShardedMetricsTest.clustered(6, 120, 6, 8);
        EmbeddingFiles.writeNpy(set, dir.resolve("e.npy"), dir.resolve("e-labels.npy"), DataType.FLOAT32);
        String[] r = run("evaluate", "--engine", "spark", "--master", "local[2]", "--embeddings",
                dir.resolve("e.npy").toString(), "--labels", dir.resolve("e-labels.npy").toString(), "--retrieval",
                "--spark-conf", "spark.metric4j.probe=42", "--spark-conf", "spark.sql.shuffle.partitions=7");
        assertEquals("0", r[0], r[2]);
        org.apache.spark.sql.SparkSession s = org.apache.spark.sql.SparkSession.getDefaultSession().get();
        assertEquals("42", s.conf().get("spark.metric4j.probe"));
        assertEquals("7", s.conf().get("spark.sql.shuffle.partitions"));
        for (String bad : new String[] {"nokey", "=v", "k="}) {
            r = run("evaluate", "--engine", "spark", "--embeddings", dir.resolve("e.npy").toString(), "--retrieval",
                    "--spark-conf", bad);
            assertEquals("2", r[0], bad + ": " + r[2]);
            String first = r[2].lines().findFirst().orElse("");
            assertTrue(first.contains("--spark-conf expects KEY=VALUE") && first.contains("'" + bad + "'"), r[2]);
        }
        r = run("evaluate", "--embeddings", dir.resolve("e.npy").toString(), "--labels",
                dir.resolve("e-labels.npy").toString(), "--retrieval", "--spark-conf", "a=b");
        assertEquals("2", r[0], r[2]);
        assertTrue(r[2].lines().findFirst().orElse("").contains("--spark-conf needs --engine spark"), r[2]);
    }

    @Test
    void sparkEmbedListsTheFolderAsEmbedImagesDoes(@TempDir Path dir) throws Exception {
        Path images = dir.resolve("images");
        // an identity without images (no label), a hidden file and a non-image file
        String[][] layout = {{"alice", "face_0.png"}, {"alice", "face_1.png"}, {"bob", "face_2.png"},
            {"dave", "face_3.png"}};
        for (String[] f : layout) {
            Files.createDirectories(images.resolve(f[0]));
            Files.copy(SparkEmbeddingTest.FIXTURE.resolve(f[1]), images.resolve(f[0]).resolve(f[1]));
        }
        Files.copy(SparkEmbeddingTest.FIXTURE.resolve("face_0.png"), images.resolve("alice").resolve(".hidden.png"));
        Files.createDirectories(images.resolve("carol"));
        Files.writeString(images.resolve("carol").resolve("notes.txt"), "not an image");
        Files.writeString(images.resolve("bob").resolve("README"), "not an image");
        String model = SparkEmbeddingTest.FIXTURE.resolve("tiny_iresnet.pt").toString();
        String[] r = run("embed", "--torchscript", model, "--images", images.toString(), "--output",
                dir.resolve("local.npy").toString());
        assertEquals("0", r[0], r[2]);
        java.util.List<String> names = Files.readAllLines(dir.resolve("local-names.txt"));
        long[] labels = EmbeddingFiles.readNpy(dir.resolve("local.npy"), dir.resolve("local-labels.npy")).labels();
        java.util.Map<String, Long> local = new java.util.TreeMap<>();
        for (int i = 0; i < names.size(); i++) {
            local.put(names.get(i), labels[i]);
        }
        Path out = dir.resolve("spark.parquet");
        r = run("embed", "--engine", "spark", "--master", "local[2]", "--torchscript", model, "--images",
                images.toString(), "--output", out.toString(), "--partitions", "2");
        assertEquals("0", r[0], r[2]);
        java.util.Map<String, Long> spark = new java.util.TreeMap<>();
        for (org.apache.spark.sql.Row row : org.apache.spark.sql.SparkSession.getDefaultSession().get().read()
                .parquet(out.toString()).collectAsList()) {
            spark.put(row.getString(0), row.getLong(1));
        }
        assertEquals(java.util.Map.of("alice/face_0", 0L, "alice/face_1", 0L, "bob/face_2", 1L, "dave/face_3", 2L),
                local);
        assertEquals(local, spark);
    }
}
