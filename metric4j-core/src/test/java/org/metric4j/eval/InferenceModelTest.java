package org.metric4j.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.LambdaBlock;
import org.junit.jupiter.api.Test;
import org.metric4j.TestDevice;
import org.metric4j.distance.LpDistance;

/**
 * PML's MatchFinder and InferenceModel on vectors placed on the circle by angle (degrees), so
 * every cosine and distance is known: cos of the angle between them, and L2 = 2 sin(angle / 2)
 * between unit vectors.
 */
class InferenceModelTest {

    private static NDArray circle(NDManager m, double[] degrees, double[] norms) {
        float[] v = new float[degrees.length * 2];
        for (int i = 0; i < degrees.length; i++) {
            double r = norms == null ? 1 : norms[i];
            v[2 * i] = (float) (r * Math.cos(Math.toRadians(degrees[i])));
            v[2 * i + 1] = (float) (r * Math.sin(Math.toRadians(degrees[i])));
        }
        return m.create(v, new Shape(degrees.length, 2));
    }

    private static double chord(double degrees) {
        return 2 * Math.sin(Math.toRadians(degrees) / 2);
    }

    @Test
    void matchFinderPairsAtOrAboveACosineOrAtOrBelowADistance() {
        try (NDManager m = TestDevice.manager()) {
            NDArray q = circle(m, new double[] {0, 90}, new double[] {1, 3});
            NDArray r = circle(m, new double[] {10, 30, 100, 180}, new double[] {2, 1, 1, 0.5});
            MatchFinder cosine = MatchFinder.builder().build();
            // cosines: q0 .985 .866 -.174 -1; q1 .174 .5 .985 0
            assertArrayEquals(new long[][] {{0, 0}, {1, 2}}, cosine.matchingPairs(q, r));
            assertArrayEquals(new long[][] {{0, 0}, {0, 1}, {1, 1}, {1, 2}}, cosine.matchingPairs(q, r, 0.45));
            MatchFinder oneByOne = MatchFinder.builder().optQueryBlock(1).build();
            assertArrayEquals(cosine.matchingPairs(q, r, 0.45), oneByOne.matchingPairs(q, r, 0.45));
            // L2 between normalized rows: 10 degrees 0.174, 30 degrees 0.518
            MatchFinder l2 = MatchFinder.builder().optDistance(LpDistance.euclidean()).optThreshold(0.3).build();
            assertArrayEquals(new long[][] {{0, 0}, {1, 2}}, l2.matchingPairs(q, r));
            assertArrayEquals(new long[][] {{0, 0}, {0, 1}, {1, 1}, {1, 2}}, l2.matchingPairs(q, r, 1.1));
            // a set against itself includes (i, i), as PML
            assertArrayEquals(new long[][] {{0, 0}, {0, 1}, {1, 0}, {1, 1}, {2, 2}, {3, 3}},
                    cosine.matchingPairs(r, r, 0.8));
            assertArrayEquals(cosine.matchingPairs(r, r, 0.9), cosine.matchingPairs(r));
        }
    }

    @Test
    void matchFinderIsMatchComparesRowByRow() {
        try (NDManager m = TestDevice.manager()) {
            NDArray x = circle(m, new double[] {0, 0, 90}, new double[] {1, 4, 1});
            NDArray y = circle(m, new double[] {10, 50, 180}, new double[] {3, 1, 1});
            // cosines .985 .643 0; L2 .174 .845 1.414
            assertArrayEquals(new boolean[] {true, false, false}, MatchFinder.builder().build().isMatch(x, y));
            assertArrayEquals(new boolean[] {true, true, false},
                    MatchFinder.builder().optDistance(LpDistance.euclidean()).build().isMatch(x, y, 1.0));
            assertArrayEquals(new boolean[] {true, true, false},
                    MatchFinder.builder().build().isMatch(x, y, 0.6));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> MatchFinder.builder().build().isMatch(x, y.get("0:2")));
            assertTrue(e.getMessage().contains("y"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class,
                    () -> MatchFinder.builder().build().matchingPairs(x, y, Double.NaN));
            assertTrue(e.getMessage().contains("threshold"), e.getMessage());
        }
    }

    @Test
    void topKMatchesAndIsMatchOnPrecomputedEmbeddings() {
        try (NDManager m = TestDevice.manager();
                InferenceModel model = InferenceModel.builder().build()) {
            model.index(circle(m, new double[] {0, 20, 45, 90, 180}, new double[] {1, 2, 3, 0.5, 1}));
            assertEquals(5, model.size());
            NDArray q = circle(m, new double[] {5, 85}, new double[] {2, 1});
            KnnSearch.Result r = model.topK(q, 2);
            assertArrayEquals(new long[][] {{0, 1}, {3, 2}}, r.indices());
            assertArrayEquals(new double[] {chord(5), chord(15)}, r.scores()[0], 1e-5);
            assertArrayEquals(new double[] {chord(5), chord(40)}, r.scores()[1], 1e-5);
            // cosine >= 0.9: 5 and 15 degrees for q0, 5 degrees for q1 (40 degrees is .766)
            assertArrayEquals(new long[][] {{0, 0}, {0, 1}, {1, 3}}, model.matches(q));
            assertArrayEquals(new long[][] {{0, 0}, {0, 1}, {0, 2}, {1, 2}, {1, 3}}, model.matches(q, 0.7));
            assertArrayEquals(new boolean[] {true, false},
                    model.isMatch(q, circle(m, new double[] {20, 180}, null)));

            model.add(circle(m, new double[] {86}, new double[] {7}));
            assertEquals(6, model.size());
            assertArrayEquals(new long[][] {{5}}, model.topK(q.get("1:2"), 1).indices());
            assertArrayEquals(new double[] {chord(1)}, model.topK(q.get("1:2"), 1).scores()[0], 1e-4);
        }
    }

    @Test
    void embeddersRunInBlocksAndRawEmbeddingsKeepTheirNorms() {
        try (NDManager m = TestDevice.manager()) {
            double[] refAngles = {0, 20, 45, 90, 180};
            double[] norms = {1, 2, 3, 0.5, 1};
            NDArray rotation = m.create(new float[] {0, 1, -1, 0}, new Shape(2, 2)); // +90 degrees
            // the embedder turns inputs by 90 degrees: inputs 90 degrees behind the references
            double[] behind = new double[refAngles.length];
            for (int i = 0; i < behind.length; i++) {
                behind[i] = refAngles[i] - 90;
            }
            int[] calls = {0};
            try (InferenceModel model = InferenceModel.builder().optBatchSize(2)
                    .optEmbedder(x -> {
                        calls[0]++;
                        return x.matMul(rotation);
                    }).build()) {
                model.index(circle(m, behind, norms));
                assertEquals(3, calls[0], "5 rows in blocks of 2");
                KnnSearch.Result r = model.topK(circle(m, new double[] {-85}, null), 2);
                assertArrayEquals(new long[] {0, 1}, r.indices()[0]);
                assertArrayEquals(new double[] {chord(5), chord(15)}, r.scores()[0], 1e-5);
            }
            LambdaBlock doubling = new LambdaBlock(list -> new NDList(list.head().mul(2)));
            try (InferenceModel model = InferenceModel.builder().optEmbedder(doubling).optRawEmbeddings()
                    .optKnn(KnnSearch.builder().optMetric(KnnSearch.Metric.DOT).build()).build()) {
                model.index(circle(m, refAngles, norms));
                NDArray e = model.embed(circle(m, new double[] {0}, new double[] {3}));
                assertArrayEquals(new float[] {6, 0}, e.toType(DataType.FLOAT32, false).toFloatArray(), 1e-6f);
                // raw dot products of 2 x (5 degrees, norm 1) with 2 x the references: 4 x (cos 5,
                // 2 cos 15, 3 cos 40, ...): the long reference at 45 degrees wins
                KnnSearch.Result r = model.topK(circle(m, new double[] {5}, null), 2);
                assertArrayEquals(new long[] {2, 1}, r.indices()[0]);
                assertArrayEquals(new double[] {4 * 3 * Math.cos(Math.toRadians(40)),
                    4 * 2 * Math.cos(Math.toRadians(15))}, r.scores()[0], 1e-5);
            }
        }
    }

    @Test
    void anExternalReferenceIndexReceivesTheEmbeddedQueries() {
        float[][] seen = new float[1][];
        ReferenceIndex fixed = new ReferenceIndex() {
            @Override
            public long size() {
                return 3;
            }

            @Override
            public KnnSearch.Result topK(NDArray queries, int k) {
                seen[0] = queries.toFloatArray();
                return new KnnSearch.Result(new long[][] {{2}}, new double[][] {{0.5}});
            }

            @Override
            public long[][] matches(NDArray queries, double threshold) {
                return new long[][] {{0, (long) (threshold * 10)}};
            }
        };
        try (NDManager m = TestDevice.manager();
                InferenceModel model = InferenceModel.builder().optReferenceIndex(fixed).build()) {
            assertEquals(3, model.size());
            KnnSearch.Result r = model.topK(circle(m, new double[] {90}, new double[] {4}), 1);
            assertArrayEquals(new long[][] {{2}}, r.indices());
            assertArrayEquals(new float[] {0, 1}, seen[0], 1e-6f, "normalized before the index sees it");
            assertArrayEquals(new long[][] {{0, 9}}, model.matches(circle(m, new double[] {0}, null)));
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> model.index(circle(m, new double[] {0}, null)));
            assertTrue(e.getMessage().contains("add them there"), e.getMessage());
        }
    }

    @Test
    void badUse() {
        try (NDManager m = TestDevice.manager();
                InferenceModel model = InferenceModel.builder().build()) {
            NDArray q = circle(m, new double[] {5}, null);
            IllegalStateException s = assertThrows(IllegalStateException.class, () -> model.topK(q, 1));
            assertTrue(s.getMessage().contains("index"), s.getMessage());
            model.index(circle(m, new double[] {0, 10}, null));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> model.topK(q, 3));
            assertTrue(e.getMessage().contains("k"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class,
                    () -> model.add(m.create(new float[] {1, 2, 3}, new Shape(1, 3))));
            assertTrue(e.getMessage().contains("references"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> InferenceModel.builder().optBatchSize(0));
        }
    }
}
