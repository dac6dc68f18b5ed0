package org.metric4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code train --init} refuses, in one line with exit code 2 and before an existing {@code
 * --output} is overwritten (even with --force), a missing file, a backbone without PyTorch keys
 * and weights of another architecture. (Fine-tuning itself: integration/InsightFaceFineTuneIT.)
 */
class TrainInitCommandTest {

    static final String DATASET = "synthetic-faces:identities=2,images=2,size=112,eval-identities=2,eval-images=2,pairs=2";

    private static CliRun train(Path out, String backbone, Path init) {
        return CliRun.of("train", "--dataset", DATASET, "--backbone", backbone, "--init", init.toString(),
                "--batch-size", "4", "--epochs", "1", "--output", out.toString(), "--force", "--no-progress");
    }

    /** An earlier run's output directory, which a refused command must leave as it was. */
    private static Path earlier(Path dir) throws Exception {
        Path out = Files.createDirectories(dir.resolve("run"));
        Files.writeString(out.resolve("run.json"), "{\"earlier\": true}");
        return out;
    }

    @Test
    void weightsOfAnotherArchitectureLeaveTheOutputAlone(@TempDir Path dir) throws Exception {
        Path out = earlier(dir);
        Path mbf = new BackboneFixture("mbf").pth();
        CliRun r = train(out, "iresnet:layers=1-1-1-1,dim=64", mbf);
        assertEquals(2, r.code(), r.err());
        String err = r.err().strip();
        assertEquals(1, err.lines().count(), err);
        assertTrue(err.startsWith("metric4j train: error: --init " + mbf + ": state dict does not match IResNet "
                + "(strict load): "), err);
        assertTrue(err.contains("missing keys [conv1.weight"), err);
        assertEquals("{\"earlier\": true}", Files.readString(out.resolve("run.json")));
    }

    @Test
    void aBackboneWithoutPyTorchKeysOrAMissingFileIsOneLine(@TempDir Path dir) throws Exception {
        Path out = earlier(dir);
        Path pth = new BackboneFixture("iresnet_1111_nf64").pth();
        CliRun r = train(out, "faceresnet:dim=64", pth);
        assertEquals(2, r.code(), r.err());
        assertEquals("metric4j train: error: --init needs a backbone with PyTorch state-dict keys (iresnet, "
                + "mobilefacenet, mobilefacenet-large), got --backbone faceresnet:dim=64", r.err().strip());
        r = train(out, "iresnet:layers=1-1-1-1,dim=64", dir.resolve("none.pth"));
        assertEquals(2, r.code(), r.err());
        assertEquals("metric4j train: error: --init " + dir.resolve("none.pth") + ": no such file", r.err().strip());
        assertEquals("{\"earlier\": true}", Files.readString(out.resolve("run.json")));
    }
}
