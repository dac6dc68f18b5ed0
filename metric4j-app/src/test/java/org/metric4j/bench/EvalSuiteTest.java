package org.metric4j.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.metric4j.engine.BenchConfig;

/** The eval suite's retrieval case at a small size: its two product baselines and their ratios. */
class EvalSuiteTest {

    private static List<JsonObject> retrieval(String only) {
        List<String> lines = new ArrayList<>();
        BenchConfig config = new BenchConfig(0, 1, 2, only, 1, org.metric4j.TestDevice.get());
        new EvalSuite(config).retrieval("gemm_t", "retrieval_t", 9_000, 30, 16, config, lines::add);
        List<JsonObject> json = new ArrayList<>();
        for (String line : lines) {
            json.add(JsonParser.parseString(line).getAsJsonObject());
        }
        return json;
    }

    @Test
    void retrievalCarriesItsRatioOverTheProducts() {
        List<JsonObject> lines = retrieval(null);
        List<String> names = new ArrayList<>();
        lines.forEach(j -> names.add(j.get("name").getAsString()));
        assertEquals(List.of("gemm_t", "retrieval_t"), names);
        JsonObject r = lines.get(1);
        double ms = r.get("ms_median").getAsDouble();
        assertEquals(ms / lines.get(0).get("ms_median").getAsDouble(), r.get("gemm_ratio").getAsDouble(), 1e-3);
        assertEquals("gemm_t", r.get("gemm_case").getAsString());
        assertEquals(512, lines.get(0).get("query_block").getAsInt());
        double p1 = r.get("precision_at_1").getAsDouble();
        assertTrue(p1 > 0 && p1 < 1, r.toString());
    }

    @Test
    void withoutItsGemmLineRetrievalHasNoRatio() {
        List<JsonObject> gemm = retrieval("^gemm");
        assertEquals(1, gemm.size(), gemm.toString());
        assertEquals("gemm_t", gemm.get(0).get("name").getAsString());
        List<JsonObject> alone = retrieval("^retrieval");
        assertEquals(1, alone.size(), alone.toString());
        assertFalse(alone.get(0).has("gemm_ratio"), alone.toString());
    }
}
