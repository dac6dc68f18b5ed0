package org.metric4j.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.metric4j.engine.EmbedResult;
import org.metric4j.model.TorchScriptEmbedder;

/**
 * The embedding job in {@code local[2]}: the fixture's traced network over an image folder gives
 * the embeddings of single-process prediction, and a file that is not an image is counted and
 * kept with its error.
 */
class SparkEmbeddingTest {

    static final Path FIXTURE = Path.of("..", "metric4j-app", "src", "test", "resources", "torchscript");
    static SparkSession spark;

    @BeforeAll
    static void start() {
        spark = SparkEngine.session("local[2]");
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    @Test
    void sparkEmbeddingsEqualSingleProcessPredictionAndCountCorruptImages(@TempDir Path dir) throws Exception {
        Path images = dir.resolve("images");
        String[][] layout = {{"alice", "face_0.png"}, {"alice", "face_1.png"}, {"bob", "face_2.png"},
            {"bob", "face_3.png"}};
        for (String[] f : layout) {
            Files.createDirectories(images.resolve(f[0]));
            Files.copy(FIXTURE.resolve(f[1]), images.resolve(f[0]).resolve(f[1]));
        }
        Files.write(images.resolve("bob").resolve("broken.png"), new byte[] {1, 2, 3, 4, 5});
        Path model = FIXTURE.resolve("tiny_iresnet.pt");
        for (boolean flipSum : new boolean[] {false, true}) {
            Path out = dir.resolve("out-" + flipSum + ".parquet");
            EmbedResult r = SparkEmbedding.run(spark, model, 112, flipSum, images, out, 2);
            assertEquals(5L, r.images());
            assertEquals(4L, r.embedded());
            assertEquals(1L, r.unreadable());
            List<Row> rows = spark.read().parquet(out.toString()).orderBy("id").collectAsList();
            assertEquals(5, rows.size());
            try (TorchScriptEmbedder ts = TorchScriptEmbedder.load(model, 112, 112)) {
                for (Row row : rows) {
                    String id = row.getString(0);
                    if (id.equals("bob/broken")) {
                        assertNull(row.get(2));
                        assertNotNull(row.getString(3));
                        assertEquals(1L, row.getLong(1));
                        continue;
                    }
                    assertNull(row.get(3), id);
                    assertEquals(id.startsWith("alice") ? 0L : 1L, row.getLong(1));
                    BufferedImage img = ImageIO.read(images.resolve(id + ".png").toFile());
                    float[] expected = ts.embed(new BufferedImage[] {img}, flipSum)[0];
                    List<Float> got = row.getList(2);
                    assertEquals(expected.length, got.size());
                    for (int j = 0; j < expected.length; j++) {
                        assertEquals(expected[j], got.get(j), 1e-5, id + " flipSum=" + flipSum + " [" + j + "]");
                    }
                }
            }
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SparkEmbedding.run(spark, model, 112, false, images, dir.resolve("out-false.parquet"), 2));
        assertTrue(e.getMessage().contains("exists"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> SparkEmbedding.run(spark, dir.resolve("none.pt"), 112, false, images, dir.resolve("x"), 2));
        assertTrue(e.getMessage().contains("none.pt"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> SparkEmbedding.run(spark, model, 112, false, images, dir.resolve("y"), 2, "tpu0"));
        assertTrue(e.getMessage().contains("'tpu0'"), e.getMessage());
        assertFalse(java.nio.file.Files.exists(dir.resolve("y")));
    }

    @Test
    void aParquetOfImageBytesIsEmbeddedLikeTheFolder(@TempDir Path dir) throws Exception {
        java.util.List<Row> rows = new java.util.ArrayList<>();
        for (int i = 0; i < 4; i++) {
            rows.add(org.apache.spark.sql.RowFactory.create("face_" + i, (long) (i / 2),
                    Files.readAllBytes(FIXTURE.resolve("face_" + i + ".png"))));
        }
        rows.add(org.apache.spark.sql.RowFactory.create("truncated", 1L, new byte[] {(byte) 0x89, 'P', 'N', 'G'}));
        org.apache.spark.sql.types.StructType schema = new org.apache.spark.sql.types.StructType()
                .add("id", "string").add("label", "long").add("image", "binary");
        Path input = dir.resolve("images.parquet");
        spark.createDataFrame(rows, schema).write().parquet(input.toString());
        Path out = dir.resolve("out.parquet");
        EmbedResult r = SparkEmbedding.run(spark, FIXTURE.resolve("tiny_iresnet.pt"), 112, false, input, out, 3);
        assertEquals(5L, r.images());
        assertEquals(1L, r.unreadable());
        List<Row> got = spark.read().parquet(out.toString()).orderBy("id").collectAsList();
        try (TorchScriptEmbedder ts = TorchScriptEmbedder.load(FIXTURE.resolve("tiny_iresnet.pt"), 112, 112)) {
            for (Row row : got) {
                if (row.getString(0).equals("truncated")) {
                    assertNull(row.get(2));
                    assertNotNull(row.getString(3));
                    continue;
                }
                BufferedImage img = ImageIO.read(FIXTURE.resolve(row.getString(0) + ".png").toFile());
                float[] expected = ts.embed(new BufferedImage[] {img}, false)[0];
                List<Float> e = row.getList(2);
                for (int j = 0; j < expected.length; j++) {
                    assertEquals(expected[j], e.get(j), 1e-5, row.getString(0) + " [" + j + "]");
                }
            }
        }
        Path wrong = dir.resolve("wrong.parquet");
        spark.createDataFrame(rows, schema).select("id", "label").write().parquet(wrong.toString());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SparkEmbedding.run(spark, FIXTURE.resolve("tiny_iresnet.pt"), 112, false, wrong,
                        dir.resolve("out2.parquet"), 2));
        assertTrue(e.getMessage().contains("id, label, image"), e.getMessage());
    }

    @Test
    void anUnreachableMasterIsAClearError() {
        long t0 = System.nanoTime();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SparkEngine.checkReachable("spark://127.0.0.1:1"));
        assertTrue(e.getMessage().contains("spark://127.0.0.1:1") && e.getMessage().contains("no Spark master"),
                e.getMessage());
        assertTrue(System.nanoTime() - t0 < 10e9, "fails fast");
    }
}
