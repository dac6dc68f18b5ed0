package org.metric4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.metric4j.TestDevice;

/**
 * {@code metric4j train --loss xbm-contrastive}: listed with its keys, trained from the command line
 * with its memory queue in the checkpoint, a bad value one line with exit code 2.
 */
class TrainCrossBatchMemoryCommandTest {

    @Test
    void trainsFromTheCommandLineAndCheckpointsItsQueue(@TempDir Path dir) throws Exception {
        CliRun list = CliRun.of("train", "--list");
        assertTrue(list.out().contains("xbm-contrastive")
                && list.out().contains("(parameters: distance, memory, neg_margin, pos_margin, weight)"), list.out());
        Path out = dir.resolve("run");
        CliRun r = CliRun.of("train", "--dataset",
                "synthetic-faces:identities=6,images=6,size=32,channels=1,eval-identities=4,eval-images=4,pairs=20",
                "--backbone", "lenetpp:dim=8", "--loss", "xbm-contrastive:memory=48", "--optimizer", "adam",
                "--lr", "constant:lr=0.001", "--pk", "3x4", "--epochs", "1", "--output", out.toString(),
                "--no-progress", "--device", TestDevice.name());
        assertEquals(0, r.code(), r.err());
        assertTrue(Files.isRegularFile(out.resolve("checkpoints/epoch-0000/loss-0.state")), "the queue's checkpoint");
        String run = Files.readString(out.resolve("run.json"));
        assertTrue(run.contains("xbm-contrastive:memory=48"), run);

        CliRun bad = CliRun.of("train", "--dataset", "synthetic-faces:identities=4,images=4,size=32",
                "--loss", "xbm-contrastive:memory=0", "--no-progress", "--device", TestDevice.name());
        assertEquals(2, bad.code(), bad.err());
        String err = bad.err().strip();
        assertEquals(1, err.lines().count(), err);
        assertTrue(err.contains("'xbm-contrastive': memory: memorySize must be >= 1, got 0"), err);
    }
}
