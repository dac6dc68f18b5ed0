package org.metric4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.metric4j.TestDevice;

/**
 * {@code metric4j train --loss dynamic-soft-margin}: listed with its keys, trained from the command
 * line with its stored histogram in the checkpoint, a bad value one line with exit code 2.
 */
class TrainDynamicSoftMarginCommandTest {

    @Test
    void trainsFromTheCommandLineAndCheckpointsItsHistogram(@TempDir Path dir) throws Exception {
        CliRun list = CliRun.of("train", "--list");
        assertTrue(list.out().contains("dynamic-soft-margin")
                && list.out().contains("(parameters: min_val, miner, momentum, num_bins, weight)"), list.out());
        Path out = dir.resolve("run");
        CliRun r = CliRun.of("train", "--dataset",
                "synthetic-faces:identities=6,images=6,size=32,channels=1,eval-identities=4,eval-images=4,pairs=20",
                "--backbone", "lenetpp:dim=8", "--loss", "dynamic-soft-margin:momentum=0.1", "--optimizer", "adam",
                "--lr", "constant:lr=0.001", "--pk", "3x4", "--epochs", "1", "--output", out.toString(),
                "--no-progress", "--device", TestDevice.name());
        assertEquals(0, r.code(), r.err());
        assertTrue(Files.isRegularFile(out.resolve("checkpoints/epoch-0000/loss-0.state")), "the histogram's checkpoint");
        String run = Files.readString(out.resolve("run.json"));
        assertTrue(run.contains("DynamicSoftMarginLoss(minVal=-2.0, numBins=10, momentum=0.1)"), run);

        CliRun bad = CliRun.of("train", "--dataset", "synthetic-faces:identities=4,images=4,size=32",
                "--loss", "dynamic-soft-margin:num_bins=1", "--no-progress", "--device", TestDevice.name());
        assertEquals(2, bad.code(), bad.err());
        String err = bad.err().strip();
        assertEquals(1, err.lines().count(), err);
        assertTrue(err.contains("'dynamic-soft-margin': num_bins: numBins must be >= 2, got 1"), err);
    }
}
