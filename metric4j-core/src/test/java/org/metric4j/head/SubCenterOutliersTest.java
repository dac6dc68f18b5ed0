package org.metric4j.head;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.metric4j.TestDevice;

/** Sub-center ArcFace's outliers: hand-placed vectors, and PML's get_outliers run once. */
class SubCenterOutliersTest {

    /** Class 0: sub-centers (1, 0), (0, 1); class 1: (-1, 0), (0, -2); class 2 (no items): (1, 1), (1, -1). */
    private static final double[][] W = {{1, 0, -1, 0, 1, 1}, {0, 1, 0, -2, 1, -1}};

    /** Angles (degrees) and norms of the embeddings; labels 0, 1, 0, 1, 0, 1, 0. */
    private static final double[] ANGLES = {10, 185, -20, 265, 80, 260, 30};
    private static final double[] NORMS = {2, 1, 0.5, 1, 3, 1, 1};
    private static final long[] LABELS = {0, 1, 0, 1, 0, 1, 0};

    private static NDArray embeddings(NDManager m) {
        double[] v = new double[ANGLES.length * 2];
        for (int i = 0; i < ANGLES.length; i++) {
            v[2 * i] = NORMS[i] * Math.cos(Math.toRadians(ANGLES[i]));
            v[2 * i + 1] = NORMS[i] * Math.sin(Math.toRadians(ANGLES[i]));
        }
        return m.create(v, new Shape(ANGLES.length, 2));
    }

    private static NDArray matrix(NDManager m, double[][] rows) {
        double[] flat = new double[rows.length * rows[0].length];
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(rows[i], 0, flat, i * rows[0].length, rows[0].length);
        }
        return m.create(flat, new Shape(rows.length, rows[0].length));
    }

    @Test
    void handPlacedVectors() {
        try (NDManager m = TestDevice.manager()) {
            NDArray w = matrix(m, W);
            NDArray x = embeddings(m);
            NDArray y = m.create(LABELS);
            // class 0 votes (1, 0) three times (10, -20, 30 degrees) and (0, 1) once (80): dominant
            // (1, 0), the 80-degree item is beyond 75; class 1 votes (0, -2) twice (265, 260) and
            // (-1, 0) once (185, 85 degrees from (0, -2))
            SubCenterOutliers.Result r = SubCenterOutliers.builder().build().find(w, 2, x, y);
            assertArrayEquals(new long[] {4, 1}, r.outliers());
            assertArrayEquals(new int[] {0, 1, -1}, r.dominantSubCenters());
            assertEquals(new Shape(2, 3), r.dominantCenters().getShape());
            assertArrayEquals(new double[] {1, 0, 0, 0, -2, 0}, r.dominantCenters().toDoubleArray(), 0);

            // 25 degrees: also the 30-degree item of class 0; class 1's 5 and 10 degrees stay
            SubCenterOutliers.Result tight = SubCenterOutliers.builder().optThresholdDegrees(25).build()
                    .find(w, 2, x, y);
            assertArrayEquals(new long[] {4, 6, 1}, tight.outliers());

            // raw dot products: 3 cos 80 = 0.52 > cos 75 keeps item 4; item 1 has 2 sin 5 = 0.17
            SubCenterOutliers.Result dot = SubCenterOutliers.builder().optDotProducts().build()
                    .find(w, 2, x, y);
            assertArrayEquals(new long[] {1}, dot.outliers());
            assertArrayEquals(new int[] {0, 1, -1}, dot.dominantSubCenters());
        }
    }

    @Test
    void aCosineClassifierHeadGivesItsWeights() {
        try (NDManager m = TestDevice.manager()) {
            CosineClassifier head = CosineClassifier.builder().setNumClasses(3).optSubCenters(2).build();
            head.initialize(m, DataType.FLOAT32, new Shape(7, 2));
            NDArray x = embeddings(m).toType(DataType.FLOAT32, false);
            NDArray y = m.create(LABELS);
            SubCenterOutliers finder = SubCenterOutliers.builder().optThresholdDegrees(60).build();
            SubCenterOutliers.Result viaHead = finder.find(head, x, y);
            SubCenterOutliers.Result viaWeights = finder.find(head.weight().getArray(), 2, x, y);
            assertArrayEquals(viaWeights.outliers(), viaHead.outliers());
            assertArrayEquals(viaWeights.dominantSubCenters(), viaHead.dominantSubCenters());
            assertEquals(DataType.FLOAT32, viaHead.dominantCenters().getDataType());
        }
    }

    @Test
    void matchesPmlGetOutliers() throws IOException {
        JsonObject fixture;
        try (InputStream in = SubCenterOutliersTest.class.getResourceAsStream("subcenter_outliers.json")) {
            fixture = JsonParser.parseReader(new InputStreamReader(in, StandardCharsets.UTF_8)).getAsJsonObject();
        }
        int k = fixture.get("sub_centers").getAsInt();
        int numClasses = fixture.get("num_classes").getAsInt();
        try (NDManager m = TestDevice.manager()) {
            NDArray w = matrix(m, rows(fixture.getAsJsonArray("weights")));
            NDArray x = matrix(m, rows(fixture.getAsJsonArray("embeddings")));
            JsonArray labelsJson = fixture.getAsJsonArray("labels");
            long[] labels = new long[labelsJson.size()];
            for (int i = 0; i < labels.length; i++) {
                labels[i] = labelsJson.get(i).getAsLong();
            }
            NDArray y = m.create(labels);
            for (JsonElement e : fixture.getAsJsonArray("cases")) {
                JsonObject c = e.getAsJsonObject();
                double threshold = c.get("threshold").getAsDouble();
                SubCenterOutliers.Result r = SubCenterOutliers.builder().optThresholdDegrees(threshold)
                        .build().find(w, k, x, y);
                JsonArray expected = c.getAsJsonArray("outliers");
                long[] want = new long[expected.size()];
                for (int i = 0; i < want.length; i++) {
                    want[i] = expected.get(i).getAsLong();
                }
                assertArrayEquals(want, r.outliers(), "threshold " + threshold);
                double[][] centers = rows(c.getAsJsonArray("dominant_centers_classes_0_to_2"));
                double[] got = r.dominantCenters().toDoubleArray();
                for (int d = 0; d < centers.length; d++) {
                    for (int cl = 0; cl < 3; cl++) {
                        assertEquals(centers[d][cl], got[d * numClasses + cl], 1e-12);
                    }
                    assertEquals(0, got[d * numClasses + 3], "class 3 has no items: zero column");
                }
                assertEquals(-1, r.dominantSubCenters()[3]);
            }
        }
    }

    @Test
    void badInputNamesTheArgument() {
        try (NDManager m = TestDevice.manager()) {
            NDArray w = matrix(m, W);
            NDArray x = embeddings(m);
            SubCenterOutliers finder = SubCenterOutliers.builder().build();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> finder.find(w, 4, x, m.create(LABELS)));
            assertTrue(e.getMessage().contains("weights") && e.getMessage().contains("k = 4"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class,
                    () -> finder.find(w, 2, x, m.create(new long[] {0, 1, 0, 3, 0, 1, 0})));
            assertTrue(e.getMessage().contains("labels") && e.getMessage().contains("[0, 3)"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class,
                    () -> finder.find(w, 0, x, m.create(LABELS)));
            assertTrue(e.getMessage().contains("subCenters"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class,
                    () -> SubCenterOutliers.builder().optThresholdDegrees(181));
            assertTrue(e.getMessage().contains("thresholdDegrees") && e.getMessage().contains("181"));
        }
    }

    private static double[][] rows(JsonArray a) {
        double[][] out = new double[a.size()][];
        for (int i = 0; i < out.length; i++) {
            JsonArray r = a.get(i).getAsJsonArray();
            out[i] = new double[r.size()];
            for (int j = 0; j < r.size(); j++) {
                out[i][j] = r.get(j).getAsDouble();
            }
        }
        return out;
    }
}
