package org.metric4j.integration;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.DataInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.metric4j.TestDevice;
import org.metric4j.cli.Metric4j;
import org.metric4j.model.torch.StateDict;
import org.metric4j.model.torch.StateDictLoader;
import org.metric4j.model.torch.StateDictReader;
import org.metric4j.model.torch.TorchStateful;
import org.metric4j.train.Components;

/**
 * {@code train --init}: InsightFace's iResNet fixture weights fine-tuned with ArcFace on synthetic
 * faces through the CLI. The loss is finite, the trained weights left the .pth values while the
 * frozen {@code features.weight} stayed exactly as loaded, BatchNorm counted the steps on top of the
 * file's {@code num_batches_tracked}, run.json records --init, and {@code --resume} continues from
 * the checkpoint rather than from the .pth again.
 */
@Tag("heavy")
class InsightFaceFineTuneIT {

    static final String BACKBONE = "iresnet:layers=1-1-1-1,dim=64";

    /** 6 identities x 4 images, batches of 8: 3 steps per epoch. */
    static final int STEPS_PER_EPOCH = 3;

    private static int run(Path out, int epochs, String... extra) {
        Path pth = fixture();
        List<String> args = new ArrayList<>(List.of("train", "--dataset",
                "synthetic-faces:identities=6,images=4,size=112,eval-identities=3,eval-images=2,pairs=6",
                "--backbone", BACKBONE, "--init", pth.toString(), "--loss", "arcface:scale=16,margin=0.3",
                "--optimizer", "sgd", "--lr", "constant:lr=0.05", "--batch-size", "8", "--epochs", String.valueOf(epochs),
                "--output", out.toString(), "--no-progress", "--device", TestDevice.name()));
        args.addAll(Arrays.asList(extra));
        var cli = Metric4j.commandLine();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(new StringWriter()));
        cli.setErr(new PrintWriter(err));
        int code = Metric4j.execute(cli, args.toArray(new String[0]));
        assertEquals(0, code, err.toString());
        return code;
    }

    private static Path fixture() {
        try {
            return Path.of(InsightFaceFineTuneIT.class.getResource("/insightface/backbones/iresnet_1111_nf64.pth").toURI());
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The state dict of RUN/model/backbone.params. */
    private static StateDict trained(Path out) throws Exception {
        Block block = Components.BACKBONES.create(BACKBONE, null);
        try (NDManager manager = NDManager.newBaseManager()) {
            block.initialize(manager, DataType.FLOAT32, new Shape(1, 3, 112, 112));
            try (DataInputStream in = new DataInputStream(Files.newInputStream(out.resolve("model/backbone.params")))) {
                block.loadParameters(manager, in);
            }
            return StateDictLoader.stateDict((TorchStateful) block);
        }
    }

    private static JsonObject json(Path file) throws Exception {
        return JsonParser.parseString(Files.readString(file, StandardCharsets.UTF_8)).getAsJsonObject();
    }

    @Test
    void fineTunesFromTheReleasedWeightsAndResumesFromTheCheckpoint(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("run");
        StateDict released = StateDictReader.create().read(fixture());
        long tracked = released.get("bn1.num_batches_tracked").longValue();

        run(out, 1);
        JsonObject run = json(out.resolve("run.json"));
        double loss = run.getAsJsonObject("final").get("loss").getAsDouble();
        assertTrue(Double.isFinite(loss) && loss > 0, "loss " + loss);
        assertEquals(fixture().toString(), run.getAsJsonObject("options").get("init").getAsString());
        StateDict tuned = trained(out);
        assertFalse(Arrays.equals(released.get("conv1.weight").bytes(), tuned.get("conv1.weight").bytes()),
                "conv1.weight moved from the .pth values");
        assertFalse(Arrays.equals(released.get("fc.weight").bytes(), tuned.get("fc.weight").bytes()),
                "fc.weight moved from the .pth values");
        assertArrayEquals(released.get("features.weight").bytes(), tuned.get("features.weight").bytes(),
                "features.weight is frozen (requires_grad=False in InsightFace): exactly as loaded");
        assertEquals(tracked + STEPS_PER_EPOCH, tuned.get("bn1.num_batches_tracked").longValue(),
                "the .pth's count plus one per training step");

        run(out, 2, "--resume");
        JsonObject resumed = json(out.resolve("run.json"));
        assertTrue(resumed.has("resume"), resumed.toString());
        StateDict continued = trained(out);
        assertEquals(tracked + 2 * STEPS_PER_EPOCH, continued.get("bn1.num_batches_tracked").longValue(),
                "continued from the checkpoint, not from the .pth again");
        assertArrayEquals(released.get("features.weight").bytes(), continued.get("features.weight").bytes());
        assertTrue(Double.isFinite(resumed.getAsJsonObject("final").get("loss").getAsDouble()));
    }
}
