package org.metric4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.metric4j.model.ModelFixtures;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.metric4j.TestDevice;

/**
 * {@code embed --backbone SPEC --weights FILE.pth}: InsightFace's weights loaded strictly into the
 * backbone reproduce InsightFace's embeddings of the fixtures' inputs (written as PNGs, and as the
 * preprocessed tensor), within the fixtures' 1e-4 x max|expected| per row; bad input is one line
 * naming the option, exit code 2, nothing written.
 */
class EmbedWeightsCommandTest {

    /** The fixtures' recommended float32 tolerance, relative to max|expected| per row. */
    static final double TOLERANCE = 1e-4;

    @ParameterizedTest
    @ValueSource(strings = {"iresnet_1111_nf64", "mbf"})
    void imagesGiveInsightFacesEmbeddings(String name, @TempDir Path dir) throws Exception {
        BackboneFixture fx = new BackboneFixture(name);
        Path images = fx.writeImages(dir.resolve("images"));
        Path out = dir.resolve("e.npy");
        CliRun r = CliRun.of("embed", "--backbone", fx.spec(), "--weights", fx.pth().toString(),
                "--images", images.toString(), "--output", out.toString(), "--device", TestDevice.name());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("InsightFace's default for --weights"), r.err());
        double error = ModelFixtures.relativeError(fx.expectedEmbedding(), BackboneFixture.readRows(out));
        assertTrue(error <= TOLERANCE, name + ": relative error " + error + " > " + TOLERANCE);
    }

    @ParameterizedTest
    @ValueSource(strings = {"iresnet_1111_nf64", "mbf"})
    void tensorsGiveInsightFacesEmbeddings(String name, @TempDir Path dir) throws Exception {
        BackboneFixture fx = new BackboneFixture(name);
        Path tensors = fx.writeTensors(dir.resolve("x.npy"));
        Path out = dir.resolve("e.npy");
        CliRun r = CliRun.of("embed", "--backbone", fx.spec(), "--weights", fx.pth().toString(),
                "--tensors", tensors.toString(), "--output", out.toString(), "--device", TestDevice.name());
        assertEquals(0, r.code(), r.err());
        double error = ModelFixtures.relativeError(fx.expectedEmbedding(), BackboneFixture.readRows(out));
        assertTrue(error <= TOLERANCE, name + ": relative error " + error + " > " + TOLERANCE);
    }

    @Test
    void weightsOfAnotherArchitectureAreOneLineListingTheKeys(@TempDir Path dir) throws Exception {
        BackboneFixture mbf = new BackboneFixture("mbf");
        Path tensors = mbf.writeTensors(dir.resolve("x.npy"));
        Path out = dir.resolve("e.npy");
        CliRun r = CliRun.of("embed", "--backbone", "iresnet:layers=1-1-1-1,dim=64", "--weights",
                mbf.pth().toString(), "--tensors", tensors.toString(), "--output", out.toString());
        assertEquals(2, r.code(), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().startsWith("metric4j embed: error: --weights " + mbf.pth() + ": state dict does not match "
                + "IResNet (strict load): "), r.err());
        assertTrue(r.err().contains("missing keys [conv1.weight"), r.err());
        assertTrue(r.err().contains("unexpected keys ["), r.err());
        assertFalse(Files.exists(out), "nothing written");
    }

    @Test
    void aBackboneWithoutPyTorchKeysIsRefusedNamingThoseThatHaveThem(@TempDir Path dir) throws Exception {
        BackboneFixture fx = new BackboneFixture("iresnet_1111_nf64");
        CliRun r = CliRun.of("embed", "--backbone", "faceresnet:dim=64", "--weights", fx.pth().toString(),
                "--tensors", fx.writeTensors(dir.resolve("x.npy")).toString(), "--output", dir.resolve("e.npy").toString());
        assertEquals(2, r.code(), r.err());
        assertEquals("metric4j embed: error: --weights needs a backbone with PyTorch state-dict keys (iresnet, "
                + "mobilefacenet, mobilefacenet-large), got --backbone faceresnet:dim=64", r.err().strip());
    }

    @Test
    void missingPartsAreOneLineEach(@TempDir Path dir) throws Exception {
        BackboneFixture fx = new BackboneFixture("mbf");
        String out = dir.resolve("e.npy").toString();
        CliRun noBackbone = CliRun.of("embed", "--weights", fx.pth().toString(), "--output", out);
        assertEquals(2, noBackbone.code());
        assertEquals("metric4j embed: error: --weights " + fx.pth() + " needs --backbone SPEC (the architecture the "
                + "weights are for)", noBackbone.err().strip());
        CliRun noFile = CliRun.of("embed", "--backbone", "mobilefacenet", "--weights", dir.resolve("no.pth").toString(),
                "--images", dir.toString(), "--output", out);
        assertEquals(2, noFile.code());
        assertEquals("metric4j embed: error: --weights " + dir.resolve("no.pth") + ": no such file", noFile.err().strip());
        CliRun badSpec = CliRun.of("embed", "--backbone", "iresnet:depth=51", "--weights", fx.pth().toString(),
                "--dataset", "synthetic-faces:identities=2,images=2", "--output", out);
        assertEquals(2, badSpec.code());
        assertTrue(badSpec.err().startsWith("metric4j embed: error: --backbone iresnet:depth=51: "), badSpec.err());
        assertTrue(badSpec.err().contains("depth"), badSpec.err());
        assertEquals(1, badSpec.err().strip().lines().count(), badSpec.err());
        CliRun badSize = CliRun.of("embed", "--backbone", "mobilefacenet", "--weights", fx.pth().toString(),
                "--images", dir.toString(), "--size", "96", "--output", out);
        assertEquals(2, badSize.code());
        assertEquals("metric4j embed: error: --size 96x96: --backbone mobilefacenet takes 112 x 112 inputs",
                badSize.err().strip());
        CliRun nhwc = CliRun.of("embed", "--backbone", "mobilefacenet", "--weights", fx.pth().toString(),
                "--images", dir.toString(), "--nhwc", "--output", out);
        assertEquals(2, nhwc.code());
        assertEquals("metric4j embed: error: --nhwc: --backbone mobilefacenet takes N x 3 x 112 x 112 inputs "
                + "(--no-nhwc)", nhwc.err().strip());
        assertFalse(Files.exists(dir.resolve("e.npy")));
    }

    @Test
    void aFileThatIsNoStateDictIsOneLineNamingItOnce(@TempDir Path dir) throws Exception {
        Path notPth = Files.writeString(dir.resolve("notes.pth"), "not a zip");
        CliRun r = CliRun.of("embed", "--backbone", "mobilefacenet", "--weights", notPth.toString(),
                "--tensors", new BackboneFixture("mbf").writeTensors(dir.resolve("x.npy")).toString(),
                "--output", dir.resolve("e.npy").toString());
        assertEquals(2, r.code(), r.err());
        String err = r.err().strip();
        assertEquals(1, err.lines().count(), err);
        assertTrue(err.startsWith("metric4j embed: error: --weights " + notPth + ": "), err);
        assertEquals(err.indexOf(notPth.toString()), err.lastIndexOf(notPth.toString()), err);
        assertFalse(Files.exists(dir.resolve("e.npy")));
    }

    @Test
    void anExistingOutputIsKeptWithoutForce(@TempDir Path dir) throws Exception {
        BackboneFixture fx = new BackboneFixture("mbf");
        Path out = Files.writeString(dir.resolve("e.npy"), "earlier");
        CliRun r = CliRun.of("embed", "--backbone", fx.spec(), "--weights", fx.pth().toString(),
                "--tensors", fx.writeTensors(dir.resolve("x.npy")).toString(), "--output", out.toString());
        assertEquals(2, r.code(), r.err());
        assertEquals("metric4j embed: error: " + out + " exists; give --force to overwrite it", r.err().strip());
        assertEquals("earlier", Files.readString(out));
    }
}
