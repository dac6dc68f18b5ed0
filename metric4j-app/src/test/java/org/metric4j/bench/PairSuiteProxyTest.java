package org.metric4j.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.metric4j.engine.BenchConfig;

/** The pair suite's proxy cases (issue #16): names, sizes and the loss of each JSON line. */
class PairSuiteProxyTest {

    @Test
    void theProxyCasesPrintOneJsonLineEachWithTheirSizes() {
        List<String> lines = new ArrayList<>();
        new PairSuite(new BenchConfig(0, 1, 2, "^(proxy_anchor|soft_triple)", 1, org.metric4j.TestDevice.get()))
                .run(lines::add);
        assertEquals(2, lines.size(), lines.toString());
        String[][] expected = {
            {"proxy_anchor_b256_c1k", "1000", "ProxyAnchorLoss(margin=0.1, alpha=32.0, distance=CosineSimilarity())"},
            {"soft_triple_b256_c1k", "10000",
                "SoftTripleLoss(centersPerClass=10, la=20.0, gamma=0.1, margin=0.01, distance=CosineSimilarity())"},
        };
        for (int k = 0; k < 2; k++) {
            assertFalse(lines.get(k).contains("\n"), lines.get(k));
            JsonObject j = JsonParser.parseString(lines.get(k)).getAsJsonObject();
            assertEquals(expected[k][0], j.get("name").getAsString());
            assertEquals(256, j.get("batch").getAsInt(), j.toString());
            assertEquals(1000, j.get("classes").getAsInt(), j.toString());
            assertEquals(Integer.parseInt(expected[k][1]), j.get("proxies").getAsInt(), j.toString());
            assertEquals(128, j.get("dim").getAsInt(), j.toString());
            assertEquals("float32", j.get("dtype").getAsString(), j.toString());
            assertEquals(expected[k][2], j.get("loss").getAsString());
            assertTrue(j.get("ms_median").getAsDouble() > 0, j.toString());
        }
    }

    @Test
    void uniformLabelsAreSeededAndInRange() {
        long[] a = PairSuite.uniformLabels(256, 1000, 1);
        assertArrayEquals(a, PairSuite.uniformLabels(256, 1000, 1));
        assertFalse(java.util.Arrays.equals(a, PairSuite.uniformLabels(256, 1000, 2)));
        long distinct = java.util.Arrays.stream(a).distinct().count();
        assertTrue(java.util.Arrays.stream(a).allMatch(y -> y >= 0 && y < 1000), java.util.Arrays.toString(a));
        assertTrue(distinct > 200, "256 draws of 1,000 classes: about 225 distinct expected, got " + distinct);
    }
}
