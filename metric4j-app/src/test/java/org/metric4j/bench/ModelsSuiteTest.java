package org.metric4j.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.metric4j.engine.BenchConfig;

/** The models suite at batch 2 with a one-block iResNet: case names, JSON fields, the Block/TorchScript ratio. */
class ModelsSuiteTest {

    private static final ModelsSuite.Sizes TINY =
            new ModelsSuite.Sizes(2, "iresnet:layers=1-1-1-1,dim=64", "iresnet1111", 10);

    private static Path fixtures() throws Exception {
        return Path.of(ModelsSuiteTest.class.getResource("/insightface/backbones/mbf.pth").toURI()).getParent();
    }

    @Test
    void printsOneLinePerCaseWithThroughputAndTheRatio() throws Exception {
        List<String> lines = new ArrayList<>();
        BenchConfig config = new BenchConfig(0, 1, 2, null, 1, org.metric4j.TestDevice.get(), fixtures());
        new ModelsSuite(config, TINY).run(lines::add);
        List<JsonObject> json = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (String line : lines) {
            assertFalse(line.contains("\n"), line);
            JsonObject j = JsonParser.parseString(line).getAsJsonObject();
            json.add(j);
            names.add(j.get("name").getAsString());
            assertEquals(2, j.get("batch").getAsInt(), line);
            assertEquals("3x112x112", j.get("input").getAsString(), line);
            assertTrue(j.get("ms_median").getAsDouble() > 0, line);
            assertTrue(j.get("peak_rss_mb").getAsDouble() > 0, line);
            assertEquals(2 / (j.get("ms_median").getAsDouble() / 1000), j.get("images_per_second").getAsDouble(),
                    1e-3 * j.get("images_per_second").getAsDouble(), line);
        }
        assertEquals(List.of("mbf_torchscript_b2", "mbf_block_b2", "mbf_onnx_b2", "iresnet1111_block_b2",
                "iresnet1111_arcface_train_b2_c10"), names);
        JsonObject block = json.get(1);
        assertEquals("mbf.pth", block.get("weights").getAsString());
        assertEquals(block.get("ms_median").getAsDouble() / json.get(0).get("ms_median").getAsDouble(),
                block.get("block_over_torchscript").getAsDouble(), 1e-3, block.toString());
        assertTrue(block.get("model").getAsString().startsWith("MobileFaceNet("), block.toString());
        JsonObject train = json.get(4);
        assertEquals(10, train.get("classes").getAsInt());
        assertTrue(Double.isFinite(train.get("last_loss").getAsDouble()) && train.get("last_loss").getAsDouble() > 0,
                train.toString());
        assertTrue(train.get("first_loss").getAsDouble() > 0, train.toString());
        assertTrue(train.get("model").getAsString().contains("ArcFaceLoss("), train.toString());
    }

    @Test
    void aFolderWithoutTheFixturesIsNamedInOneLine(@TempDir Path tmp) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ModelsSuite.fixtures(tmp));
        assertTrue(e.getMessage().contains(tmp.toString()) && e.getMessage().contains("mbf.pth"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        assertEquals(Suite.models, Suite.valueOf("models"));
    }
}
