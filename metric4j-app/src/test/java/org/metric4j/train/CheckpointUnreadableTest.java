package org.metric4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.core.Linear;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.metric4j.TestDevice;

/**
 * A checkpoint whose {@code state.json} cannot be read is an error that names the file when a run
 * looks for the newest checkpoint, and pruning never deletes it (it used to count as the oldest
 * and go first).
 */
class CheckpointUnreadableTest {

    @Test
    void anUnreadableStateIsNamedAndKept(@TempDir Path dir) throws IOException {
        try (NDManager m = TestDevice.manager()) {
            Block block = Linear.builder().setUnits(2).build();
            block.initialize(m, DataType.FLOAT32, new Shape(1, 3));
            Checkpoint.save(dir, new Checkpoint.State(0, 5, List.of(), Map.of()), block, List.of(), new NDList());
            Path broken = dir.resolve("checkpoints/epoch-0001");
            Files.createDirectories(broken);
            Files.writeString(broken.resolve("state.json"), "{\"epoch\": 1, \"iteration\": ", StandardCharsets.UTF_8);

            IOException e = assertThrows(IOException.class, () -> Checkpoint.latest(dir));
            assertTrue(e.getMessage().contains(broken.resolve("state.json").toString()), e.getMessage());
            assertTrue(e.getMessage().contains("unreadable"), e.getMessage());

            // two newer readable checkpoints: the oldest readable one is pruned, the broken one stays
            Checkpoint.save(dir, new Checkpoint.State(2, 15, List.of(), Map.of()), block, List.of(), new NDList());
            Checkpoint.save(dir, new Checkpoint.State(3, 20, List.of(), Map.of()), block, List.of(), new NDList());
            assertTrue(Files.isRegularFile(broken.resolve("state.json")), "the unreadable checkpoint is kept");
            assertEquals("{\"epoch\": 1, \"iteration\": ", Files.readString(broken.resolve("state.json")));
            assertFalse(Files.exists(dir.resolve("checkpoints/epoch-0000")), "the oldest readable one is pruned");
            assertTrue(Files.exists(dir.resolve("checkpoints/epoch-0002")));
            assertTrue(Files.exists(dir.resolve("checkpoints/epoch-0003")));
            assertThrows(IOException.class, () -> Checkpoint.latest(dir));

            // moved away, the newest readable one is chosen again
            Files.move(broken, dir.resolve("broken-epoch-0001"));
            assertEquals(dir.resolve("checkpoints/epoch-0003"), Checkpoint.latest(dir));
        }
    }
}
