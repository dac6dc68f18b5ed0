package org.metric4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.metric4j.TestDevice;

/**
 * {@code metric4j train --loss proxy-anchor|proxy-nca|soft-triple}: listed by {@code --list},
 * trained from the command line with the proxies at {@code --head-lr-factor} times the rate and
 * saved as a head, bad values one line with exit code 2.
 */
class TrainProxyLossCommandTest {

    private static final String DATASET =
            "synthetic-faces:identities=6,images=6,size=32,channels=1,eval-identities=4,eval-images=4,pairs=20";

    @Test
    void listShowsTheProxyLossesWithTheirParameters() {
        CliRun r = CliRun.of("train", "--list");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("proxy-anchor") && r.out().contains("--head-lr-factor 100")
                && r.out().contains("(parameters: alpha, margin, weight)"), r.out());
        assertTrue(r.out().contains("proxy-nca") && r.out().contains("(parameters: scale, weight)"), r.out());
        assertTrue(r.out().contains("soft-triple") && r.out().contains("(parameters: gamma, k, la, margin, weight)"),
                r.out());
    }

    @Test
    void proxyAnchorTrainsFromTheCommandLineAndRecordsItsConfiguration(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("run");
        CliRun r = CliRun.of("train", "--dataset", DATASET, "--backbone", "lenetpp:dim=8",
                "--loss", "proxy-anchor:alpha=16", "--head-lr-factor", "100", "--optimizer", "adam",
                "--lr", "constant:lr=0.001", "--batch-size", "12", "--epochs", "1", "--output", out.toString(),
                "--no-progress", "--device", TestDevice.name());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("epoch=1"), r.out());
        assertTrue(Files.isRegularFile(out.resolve("checkpoints/epoch-0000/head-0.params")), "the proxies' checkpoint");
        String run = Files.readString(out.resolve("run.json"));
        assertTrue(run.contains("ProxyAnchorLoss(margin=0.1, alpha=16.0, distance=CosineSimilarity()) on ClassCenters("
                + "numClasses=6)"), run);
        assertTrue(run.contains("proxy-anchor:alpha=16.0,margin=0.1,weight=1.0"), run);
        assertTrue(run.contains("\"head-lr-factor\": \"100.0\""), run);
    }

    @Test
    void badValuesAreOneLineWithExitCode2() {
        for (String[] c : new String[][] {
            {"proxy-nca:scale=0", "'proxy-nca': scale must be > 0 and finite, got 0.0"},
            {"soft-triple:k=0", "'soft-triple': k (centers per class) must be >= 1, got 0"},
            {"proxy-anchor:alpha=-1", "alpha must be > 0 and finite, got -1.0"},
        }) {
            CliRun r = CliRun.of("train", "--dataset", "synthetic-faces:identities=4,images=4,size=32",
                    "--loss", c[0], "--no-progress", "--device", TestDevice.name());
            assertEquals(2, r.code(), c[0] + ": " + r.err());
            String err = r.err().strip();
            assertEquals(1, err.lines().count(), c[0] + ": one line expected:\n" + r.err());
            assertFalse(err.contains("\tat "), err);
            assertTrue(err.startsWith("metric4j train: error: ") && err.contains(c[1]), c[0] + ": " + err);
        }
    }
}
