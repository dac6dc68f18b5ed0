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
import org.metric4j.engine.NativeAllocator;

/** The heads suite at tiny sizes: case names, JSON fields, gemm ratios, partial train steps. */
class HeadsSuiteTest {

    private static final HeadsSuite.Sizes TINY = new HeadsSuite.Sizes(8, 16, 50, 200, 2000, 0.1, 4);

    private static List<JsonObject> run(String only, int warmup, int iterations) {
        List<String> lines = new ArrayList<>();
        new HeadsSuite(new BenchConfig(warmup, iterations, 2, only, 1, org.metric4j.TestDevice.get()), TINY).run(lines::add);
        List<JsonObject> json = new ArrayList<>();
        for (String line : lines) {
            assertFalse(line.contains("\n"), line);
            json.add(JsonParser.parseString(line).getAsJsonObject());
        }
        return json;
    }

    @Test
    void gemmLinesComeFirstAndLossLinesCarryTheirRatio() {
        List<JsonObject> lines = run("^(gemm|arcface|partial|gather)", 1, 2);
        List<String> names = new ArrayList<>();
        lines.forEach(j -> names.add(j.get("name").getAsString()));
        assertEquals(List.of("gemm_b8_c50", "gemm_b8_c200", "arcface_b8_c50", "arcface_b8_c200",
                "gather_gemm_b8_c2k_r01", "partial_arcface_b8_c2k_r01"), names);
        JsonObject gather = lines.get(4);
        assertEquals(200, gather.get("sampled_classes").getAsInt());
        assertEquals(2000, gather.get("classes").getAsInt());
        JsonObject partial = lines.get(5);
        assertEquals("gather_gemm_b8_c2k_r01", partial.get("gather_case").getAsString());
        assertEquals(partial.get("ms_median").getAsDouble() / gather.get("ms_median").getAsDouble(),
                partial.get("gather_ratio").getAsDouble(), 1e-3, partial.toString());
        for (JsonObject j : lines) {
            assertTrue(j.get("ms_median").getAsDouble() > 0, j.toString());
            assertTrue(j.get("peak_rss_mb").getAsDouble() > 0, j.toString());
            assertEquals(8, j.get("batch").getAsInt(), j.toString());
            assertEquals(16, j.get("dim").getAsInt(), j.toString());
            assertEquals("float32", j.get("dtype").getAsString(), j.toString());
            assertEquals(NativeAllocator.name(), j.get("allocator").getAsString(), j.toString());
        }
        JsonObject arc = lines.get(3);
        assertEquals(200, arc.get("classes").getAsInt());
        assertEquals("gemm_b8_c200", arc.get("gemm_case").getAsString());
        double expected = arc.get("ms_median").getAsDouble()
                / lines.get(1).get("ms_median").getAsDouble();
        assertEquals(expected, arc.get("gemm_ratio").getAsDouble(), 1e-3, arc.toString());
        assertTrue(arc.get("loss").getAsString().startsWith("ArcFaceLoss("), arc.toString());
        // the products timed in the same loop as the head
        assertEquals("gemm_b8_c200", arc.get("baseline_case").getAsString());
        assertPairedRatio(arc);
        assertTrue(arc.get("baseline_ms_min").getAsDouble() <= arc.get("baseline_ms_median").getAsDouble(),
                arc.toString());
        assertEquals("gather_gemm_b8_c2k_r01", partial.get("baseline_case").getAsString());
        assertPairedRatio(partial);
        assertFalse(lines.get(0).has("gemm_ratio"), lines.get(0).toString());
        assertFalse(lines.get(0).has("paired_ratio"), lines.get(0).toString());
    }

    /** paired_ratio is the case's median over the baseline's (both printed rounded to 1 us). */
    private static void assertPairedRatio(JsonObject j) {
        double expected = j.get("ms_median").getAsDouble() / j.get("baseline_ms_median").getAsDouble();
        assertEquals(expected, j.get("paired_ratio").getAsDouble(), 0.01 * expected, j.toString());
    }

    @Test
    void partialCaseRunsAtLeastTheMinimumOfTrainSteps() {
        List<JsonObject> lines = run("^(gemm_b8_c200|partial)", 1, 1);
        assertEquals(2, lines.size(), lines.toString());
        JsonObject p = lines.get(1);
        assertEquals("partial_arcface_b8_c2k_r01", p.get("name").getAsString());
        assertEquals(2000, p.get("classes").getAsInt());
        assertEquals(200, p.get("sampled_classes").getAsInt());
        assertEquals(0.1, p.get("sample_rate").getAsDouble());
        assertEquals(4, p.get("steps").getAsInt(), p.toString());
        assertEquals(3, p.get("iterations").getAsInt(), p.toString());
        assertEquals("gemm_b8_c200", p.get("gemm_case").getAsString());
        assertTrue(p.get("gemm_ratio").getAsDouble() > 0, p.toString());
        assertTrue(p.get("init_ms").getAsDouble() >= 0, p.toString());
        assertTrue(p.get("head").getAsString().startsWith("PartialCosineClassifier("), p.toString());
    }

    @Test
    void withoutItsGemmLineALossLineHasNoRatio() {
        List<JsonObject> lines = run("^cosface", 0, 1);
        assertEquals(1, lines.size(), lines.toString());
        assertEquals("cosface_b8_c50", lines.get(0).get("name").getAsString());
        assertFalse(lines.get(0).has("gemm_ratio"), lines.get(0).toString());
        // its own products still run beside it
        assertEquals("gemm_b8_c50", lines.get(0).get("baseline_case").getAsString());
        assertTrue(lines.get(0).get("paired_ratio").getAsDouble() > 0, lines.get(0).toString());
    }

    @Test
    void classCountsAreNamedAsInTheIssue() {
        assertEquals("10k", HeadsSuite.count(10_000));
        assertEquals("100k", HeadsSuite.count(100_000));
        assertEquals("1m", HeadsSuite.count(1_000_000));
        assertEquals("50", HeadsSuite.count(50));
        assertEquals("1500", HeadsSuite.count(1500));
        assertEquals(Suite.heads, Suite.valueOf("heads"));
    }
}
