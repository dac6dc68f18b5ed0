package org.metric4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code state.json} of a checkpoint: a file in the format written before the history and the
 * resume sums were records ({@code state-mid-epoch.json}, written by Gson from the former
 * {@code State(int, long, List<Map<String, Double>>, Map<String, String>, Map<String, Double>)})
 * reads into the records and is written back byte for byte.
 */
class CheckpointStateTest {

    private static String fixture() throws IOException {
        try (InputStream in = CheckpointStateTest.class.getResourceAsStream("state-mid-epoch.json")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void aMidEpochCheckpointOfTheFormerFormatReadsIntoRecordsAndWritesBackUnchanged(@TempDir Path dir)
            throws IOException {
        Path checkpoint = dir.resolve("checkpoints/epoch-0001-step-000003");
        Files.createDirectories(checkpoint);
        Files.writeString(checkpoint.resolve("state.json"), fixture(), StandardCharsets.UTF_8);
        assertEquals(checkpoint, Checkpoint.latest(dir));

        Checkpoint.State state = Checkpoint.readState(checkpoint);
        assertEquals(0, state.epoch());
        assertEquals(8, state.iteration());
        assertEquals(Map.of("backbone", "lenet++", "seed", "7"), state.config());
        EpochRecord e = state.history().get(0);
        assertEquals(1, state.history().size());
        assertEquals(1, e.epoch());
        assertEquals(5, e.iteration());
        assertEquals(2.4517383575439453, e.loss(), 0.0);
        assertEquals(List.of("ArcFaceLoss", "CenterLoss"), List.copyOf(e.componentLosses().keySet()));
        assertEquals(3.5, e.componentLosses().get("CenterLoss"), 0.0);
        assertEquals(0.05, e.learningRate(), 0.0);
        assertEquals(1.2345, e.seconds(), 0.0);
        assertEquals(259.2, e.imagesPerSecond(), 0.0);
        assertEquals(0.0731, e.loopOverhead(), 0.0);
        assertEquals(List.of("ncc_accuracy", "map_at_r"), List.copyOf(e.metrics().keySet()));
        assertEquals(0.41234, e.metrics().get("map_at_r"), 0.0);
        EpochProgress p = state.partial();
        assertEquals(3, p.steps());
        assertEquals(6.75, p.lossSum(), 0.0);
        assertEquals(96, p.images());
        assertEquals(0.71, p.seconds(), 0.0);
        assertEquals(List.of(6.0, 7.5), p.componentLossSums());
        assertEquals(0.0, p.componentLossSum(2), 0.0, "a component the checkpoint lacks starts at 0");

        assertEquals(fixture(), Checkpoint.json(state));
    }

    @Test
    void anEpochEndCheckpointHasNoPartialAndRoundTrips(@TempDir Path dir) throws IOException {
        EpochRecord e = new EpochRecord(2, 10, 1.5, Map.of("TripletMarginLoss", 1.5), 0.01, 2.0, 80.0, 0.1,
                Map.of("precision_at_1", 0.75));
        Checkpoint.State state = new Checkpoint.State(1, 10, List.of(e), Map.of("seed", "1"));
        String json = Checkpoint.json(state);
        assertTrue(!json.contains("partial") && json.contains("\"loss_TripletMarginLoss\": 1.5"), json);
        Files.writeString(dir.resolve("state.json"), json, StandardCharsets.UTF_8);
        Checkpoint.State back = Checkpoint.readState(dir);
        assertNull(back.partial());
        assertEquals(state, back);
    }

    @Test
    void aHistoryEntryWithoutTheLossIsReportedWithTheFile(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("state.json"), fixture().replace("\"loss\": 2.4517383575439453,", ""),
                StandardCharsets.UTF_8);
        IOException e = assertThrows(IOException.class, () -> Checkpoint.readState(dir));
        assertTrue(e.getMessage().contains("state.json") && e.getMessage().contains("needs 'loss'"), e.getMessage());
    }
}
