package org.metric4j.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.metric4j.TestDevice;
import org.metric4j.engine.BenchConfig;

/** {@link DataSuite} at a tiny size: its four JSON lines and their fields. */
class DataSuiteTest {

    @Test
    void printsDecodeAndTrainingLinesWithTheirRatio() {
        BenchConfig config = new BenchConfig(0, 1, 2, null, 1, TestDevice.get());
        List<String> lines = new ArrayList<>();
        new DataSuite(config, new DataSuite.Sizes(4, 4, "mobilefacenet:dim=32,blocks=1-1-1-1,scale=1", 8, 1))
                .run(lines::add);
        assertEquals(4, lines.size(), String.join("\n", lines));
        List<String> names = new ArrayList<>();
        for (String l : lines) {
            JsonObject j = JsonParser.parseString(l).getAsJsonObject();
            names.add(j.get("name").getAsString());
            assertTrue(j.get("images_per_second").getAsDouble() > 0, l);
        }
        assertEquals(List.of("recordio_decode_112_t1", "recordio_decode_112_t2", "mobilefacenet_rec_b8",
                "mobilefacenet_memory_b8"), names);
        JsonObject decode = JsonParser.parseString(lines.get(0)).getAsJsonObject();
        assertEquals(16, decode.get("images").getAsInt());
        JsonObject rec = JsonParser.parseString(lines.get(2)).getAsJsonObject();
        JsonObject mem = JsonParser.parseString(lines.get(3)).getAsJsonObject();
        assertEquals(rec.get("images_per_second").getAsDouble() / mem.get("images_per_second").getAsDouble(),
                rec.get("ratio_to_memory").getAsDouble(), 1e-3);
    }
}
