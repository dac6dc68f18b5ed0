package org.metric4j.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.metric4j.eval.EmbeddingSet;

/** The Lucene gallery: exact search against brute force, HNSW recall, threshold search, reopening, bad input. */
class GalleryIndexTest {

    /** Face-like embeddings: {@code identities} unit centers, {@code per} noisy unit samples each. */
    static EmbeddingSet clustered(long seed, int identities, int per, int d, double noise) {
        return clustered(seed, seed, identities, per, d, noise);
    }

    /**
     * Samples around the centers drawn from {@code centerSeed}; another {@code sampleSeed} with the
     * same centers gives new images of the same identities (mated probes).
     */
    static EmbeddingSet clustered(long centerSeed, long sampleSeed, int identities, int per, int d, double noise) {
        Random centers = new Random(centerSeed);
        Random rnd = new Random(sampleSeed * 7919 + 1);
        int n = identities * per;
        double[] values = new double[n * d];
        long[] labels = new long[n];
        String[] names = new String[n];
        double[] center = new double[d];
        for (int c = 0; c < identities; c++) {
            for (int j = 0; j < d; j++) {
                center[j] = centers.nextGaussian();
            }
            for (int s = 0; s < per; s++) {
                int i = c * per + s;
                double sq = 0;
                for (int j = 0; j < d; j++) {
                    double v = center[j] / Math.sqrt(d) + noise * rnd.nextGaussian() / Math.sqrt(d);
                    values[i * d + j] = v;
                    sq += v * v;
                }
                for (int j = 0; j < d; j++) {
                    values[i * d + j] /= Math.sqrt(sq);
                }
                labels[i] = c;
                names[i] = "id" + c + "/" + s;
            }
        }
        return new EmbeddingSet(values, n, d, labels, names);
    }

    static float[] row(EmbeddingSet e, int i) {
        float[] out = new float[e.dim()];
        double[] values = e.values();
        for (int j = 0; j < e.dim(); j++) {
            out[j] = (float) values[i * e.dim() + j];
        }
        return out;
    }

    /** Brute force in double: rows by cosine, ties to the lower row. */
    static List<Integer> bruteForce(EmbeddingSet g, float[] q, int k) {
        double qn = 0;
        for (float x : q) {
            qn += x * (double) x;
        }
        double[] cos = new double[g.size()];
        double[] values = g.values(); // a copy: take it once
        List<Integer> rows = new ArrayList<>();
        for (int i = 0; i < g.size(); i++) {
            double dot = 0;
            double gn = 0;
            for (int j = 0; j < g.dim(); j++) {
                dot += values[i * g.dim() + j] * q[j];
                gn += values[i * g.dim() + j] * values[i * g.dim() + j];
            }
            cos[i] = dot / Math.sqrt(qn * gn);
            rows.add(i);
        }
        rows.sort((a, b) -> cos[a] != cos[b] ? Double.compare(cos[b], cos[a]) : Integer.compare(a, b));
        return rows.subList(0, Math.min(k, rows.size()));
    }

    @Test
    void exactSearchEqualsBruteForce(@TempDir Path dir) throws IOException {
        EmbeddingSet g = clustered(1, 200, 5, 32, 1.0);
        EmbeddingSet probes = clustered(2, 20, 1, 32, 1.0);
        try (GalleryIndex index = GalleryIndex.build(dir.resolve("g"), g, HnswParameters.DEFAULTS)) {
            assertEquals(1000, index.size());
            assertEquals(32, index.dimension());
            for (int p = 0; p < probes.size(); p++) {
                float[] q = row(probes, p);
                List<Hit> hits = index.searchExact(q, 10);
                List<Integer> expected = bruteForce(g, q, 10);
                assertEquals(10, hits.size());
                for (int r = 0; r < 10; r++) {
                    Hit h = hits.get(r);
                    assertEquals((int) expected.get(r), h.row(), "probe " + p + " rank " + (r + 1));
                    assertEquals(g.labels()[h.row()], h.label());
                    assertEquals(g.names()[h.row()], h.id());
                    assertEquals(cosine(g, h.row(), q), h.cosine(), 1e-5);
                }
            }
            assertEquals(1000, index.searchExact(row(probes, 0), 5000).size());
        }
    }

    private static double cosine(EmbeddingSet g, int i, float[] q) {
        double dot = 0;
        double qn = 0;
        double gn = 0;
        double[] values = g.values();
        for (int j = 0; j < g.dim(); j++) {
            dot += values[i * g.dim() + j] * q[j];
            qn += q[j] * (double) q[j];
            gn += values[i * g.dim() + j] * values[i * g.dim() + j];
        }
        return dot / Math.sqrt(qn * gn);
    }

    @Test
    void hnswRecallAtTenIsAtLeast95PercentOn20000Vectors(@TempDir Path dir) throws IOException {
        EmbeddingSet g = clustered(3, 2000, 10, 128, 1.0);
        EmbeddingSet probes = clustered(3, 4, 200, 1, 128, 1.0); // new images of 200 enrolled identities
        try (GalleryIndex index = GalleryIndex.build(dir.resolve("g"), g, HnswParameters.DEFAULTS)) {
            assertEquals(20_000, index.size());
            double recall = recallAt10(index, probes, 100);
            assertTrue(recall >= 0.95, "HNSW recall@10 " + recall + " (M 16, beam 100, efSearch 100)");
            double narrow = recallAt10(index, probes, 10);
            System.out.printf("20k x 128 HNSW recall@10: efSearch 100 %.4f, efSearch 10 %.4f%n", recall, narrow);
            assertTrue(narrow <= recall, "a smaller efSearch cannot raise recall: " + narrow + " > " + recall);
        }
    }

    static double recallAt10(GalleryIndex index, EmbeddingSet probes, int ef) throws IOException {
        int found = 0;
        for (int p = 0; p < probes.size(); p++) {
            float[] q = row(probes, p);
            Set<Integer> exact = new HashSet<>();
            for (Hit h : index.searchExact(q, 10)) {
                exact.add(h.row());
            }
            for (Hit h : index.search(q, 10, ef)) {
                found += exact.contains(h.row()) ? 1 : 0;
            }
        }
        return found / (10.0 * probes.size());
    }

    @Test
    void quantizedIndexKeepsExactSearchAndHighRecall(@TempDir Path dir) throws IOException {
        EmbeddingSet g = clustered(5, 300, 5, 64, 1.0);
        EmbeddingSet probes = clustered(5, 6, 50, 1, 64, 1.0);
        try (GalleryIndex index = GalleryIndex.build(dir.resolve("q"), g, new HnswParameters(16, 100, 100, true))) {
            assertTrue(index.parameters().quantized());
            float[] q = row(probes, 0);
            List<Integer> expected = bruteForce(g, q, 10);
            List<Hit> exact = index.searchExact(q, 10);
            for (int r = 0; r < 10; r++) {
                assertEquals((int) expected.get(r), exact.get(r).row());
            }
            double recall = recallAt10(index, probes, 100);
            assertTrue(recall >= 0.9, "quantized HNSW recall@10 " + recall);
        }
    }

    @Test
    void thresholdSearchReturnsTheItemsAboveTheCosine(@TempDir Path dir) throws IOException {
        EmbeddingSet g = clustered(7, 100, 8, 32, 0.6);
        EmbeddingSet probes = clustered(8, 10, 1, 32, 0.6);
        try (GalleryIndex index = GalleryIndex.build(dir.resolve("t"), g, HnswParameters.DEFAULTS)) {
            float[] mated = row(g, 17); // a gallery item itself: its identity lies above 0.5
            for (double t : new double[] {0.3, 0.5, 0.8}) {
                Set<Integer> expected = new HashSet<>();
                for (int i = 0; i < g.size(); i++) {
                    if (cosine(g, i, mated) >= t) {
                        expected.add(i);
                    }
                }
                List<Hit> above = index.searchAbove(mated, t, 1000);
                Set<Integer> got = new HashSet<>();
                for (int r = 0; r < above.size(); r++) {
                    got.add(above.get(r).row());
                    assertTrue(above.get(r).cosine() >= t - 1e-6);
                    if (r > 0) {
                        assertTrue(above.get(r - 1).cosine() >= above.get(r).cosine(), "best first");
                    }
                }
                assertEquals(expected, got, "threshold " + t);
            }
            // an unseen identity: nothing above a high threshold, so the probe is rejected (open set)
            assertTrue(index.searchAbove(row(probes, 0), 0.9, 10).isEmpty());
            assertEquals(3, index.searchAbove(row(g, 17), 0.5, 3).size(), "limit caps the hits");
        }
    }

    @Test
    void anIndexReopensAfterARestart(@TempDir Path dir) throws IOException {
        EmbeddingSet g = clustered(9, 50, 4, 16, 1.0);
        Path p = dir.resolve("r");
        float[] q = row(g, 3);
        List<Hit> before;
        try (GalleryIndex index = GalleryIndex.build(p, g, new HnswParameters(8, 50, 40, false))) {
            before = index.search(q, 5);
        }
        try (GalleryIndex index = GalleryIndex.open(p)) {
            assertEquals(200, index.size());
            assertEquals(16, index.dimension());
            assertEquals(8, index.parameters().maxConn());
            assertEquals(50, index.parameters().beamWidth());
            assertEquals(before, index.search(q, 5, 40));
            EmbeddingSet items = index.items();
            assertEquals(g.size(), items.size());
            for (int i = 0; i < g.size(); i++) {
                assertEquals(g.labels()[i], items.labels()[i]);
                assertEquals(g.names()[i], items.names()[i]);
            }
            assertEquals(g.values()[5], items.values()[5], 1e-6);
        }
    }

    @Test
    void badInputGetsClearErrors(@TempDir Path dir) throws IOException {
        EmbeddingSet g = clustered(10, 10, 2, 16, 1.0);
        Path p = dir.resolve("e");
        try (GalleryIndex index = GalleryIndex.build(p, g, HnswParameters.DEFAULTS)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> index.search(new float[8], 3));
            assertTrue(e.getMessage().contains("dimension 8") && e.getMessage().contains("16-d"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> index.search(new float[16], 3));
            assertTrue(e.getMessage().contains("norm 0"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> index.search(row(g, 0), 0));
            assertTrue(e.getMessage().contains("k must be >= 1"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> index.searchAbove(row(g, 0), 1.5, 3));
            assertTrue(e.getMessage().contains("[-1, 1]"), e.getMessage());
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> GalleryIndex.build(p, g, HnswParameters.DEFAULTS));
        assertTrue(e.getMessage().contains("not empty") && e.getMessage().contains(p.toString()), e.getMessage());
        EmbeddingSet wide = clustered(11, 2, 2, 2000, 1.0);
        e = assertThrows(IllegalArgumentException.class,
                () -> GalleryIndex.build(dir.resolve("w"), wide, HnswParameters.DEFAULTS));
        assertTrue(e.getMessage().contains("2000") && e.getMessage().contains("1024"), e.getMessage());
        assertTrue(Files.notExists(dir.resolve("w")), "nothing written for a refused gallery");
        IOException io = assertThrows(IOException.class, () -> GalleryIndex.open(dir.resolve("missing")));
        assertTrue(io.getMessage().contains("missing"), io.getMessage());
        Files.createDirectories(dir.resolve("empty"));
        io = assertThrows(IOException.class, () -> GalleryIndex.open(dir.resolve("empty")));
        assertTrue(io.getMessage().contains("no Lucene commit"), io.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new HnswParameters(0, 100, 100, false));
        assertTrue(e.getMessage().contains("maxConn"), e.getMessage());
    }
}
