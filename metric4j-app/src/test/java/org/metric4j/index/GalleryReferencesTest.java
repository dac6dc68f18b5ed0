package org.metric4j.index;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.metric4j.eval.EmbeddingSet;
import org.metric4j.eval.InferenceModel;
import org.metric4j.eval.KnnSearch;

/** The Lucene gallery behind an InferenceModel: the same answers as the model's own exact search. */
class GalleryReferencesTest {

    private static final double[] REF_ANGLES = {0, 20, 45, 90, 180};
    private static final double[] REF_NORMS = {1, 2, 3, 0.5, 1};

    private static double[] circle(double[] degrees, double[] norms) {
        double[] v = new double[degrees.length * 2];
        for (int i = 0; i < degrees.length; i++) {
            v[2 * i] = norms[i] * Math.cos(Math.toRadians(degrees[i]));
            v[2 * i + 1] = norms[i] * Math.sin(Math.toRadians(degrees[i]));
        }
        return v;
    }

    private static NDArray array(NDManager m, double[] v) {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            f[i] = (float) v[i];
        }
        return m.create(f, new Shape(v.length / 2, 2));
    }

    @Test
    void exactAndHnswGalleriesAnswerAsTheModelsOwnSearch(@TempDir Path dir) throws IOException {
        double[] refs = circle(REF_ANGLES, REF_NORMS);
        try (NDManager m = NDManager.newBaseManager();
                GalleryIndex gallery = GalleryIndex.build(dir.resolve("g"),
                        new EmbeddingSet(refs, 5, 2, null, null), HnswParameters.DEFAULTS);
                InferenceModel own = InferenceModel.builder()
                        .optKnn(KnnSearch.builder().optMetric(KnnSearch.Metric.COSINE).build()).build()) {
            own.index(array(m, refs));
            NDArray q = array(m, circle(new double[] {5, 85}, new double[] {2, 1}));
            KnnSearch.Result expected = own.topK(q, 2);
            assertArrayEquals(new long[][] {{0, 1}, {3, 2}}, expected.indices());
            for (GalleryReferences g : new GalleryReferences[] {GalleryReferences.exact(gallery),
                GalleryReferences.hnsw(gallery)}) {
                try (InferenceModel model = InferenceModel.builder().optReferenceIndex(g).build()) {
                    assertEquals(5, model.size());
                    KnnSearch.Result r = model.topK(q, 2);
                    assertArrayEquals(expected.indices(), r.indices(), g.toString());
                    for (int i = 0; i < 2; i++) {
                        assertArrayEquals(expected.scores()[i], r.scores()[i], 1e-5, g.toString());
                    }
                    assertArrayEquals(new double[] {Math.cos(Math.toRadians(5)), Math.cos(Math.toRadians(15))},
                            r.scores()[0], 1e-5);
                    // cosine >= 0.9 (model default) and >= 0.7
                    assertArrayEquals(own.matches(q), model.matches(q), g.toString());
                    assertArrayEquals(new long[][] {{0, 0}, {0, 1}, {1, 3}}, model.matches(q));
                    assertArrayEquals(new long[][] {{0, 0}, {0, 1}, {0, 2}, {1, 2}, {1, 3}}, model.matches(q, 0.7));
                }
            }
            GalleryReferences exact = GalleryReferences.exact(gallery);
            assertThrows(IllegalArgumentException.class, () -> exact.topK(q, 6));
            assertThrows(IllegalArgumentException.class, () -> exact.matches(q, 1.5));
            assertThrows(IllegalArgumentException.class,
                    () -> exact.topK(m.create(new float[] {1, 0, 0}, new Shape(1, 3)), 1));
        }
    }
}
