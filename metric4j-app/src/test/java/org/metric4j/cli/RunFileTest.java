package org.metric4j.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.metric4j.schedule.TrainingClock;
import org.metric4j.train.Components;
import picocli.CommandLine;

/** Run files ({@code --config FILE}) and the experiments shipped in {@code experiments/}. */
class RunFileTest {

    @Test
    void expandsInPlaceWithListsFlagsAndNumbers(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("run.json");
        Files.writeString(f, "{\"command\": \"train\", \"description\": \"x\", \"dataset\": \"synthetic-faces\","
                + " \"loss\": [\"softmax\", \"center:weight=0.01\"], \"epochs\": 3, \"lr\": \"constant:lr=0.5\","
                + " \"force\": true, \"no-progress\": false, \"weight-decay\": 0.0005}");
        CommandLine cli = Metric4j.commandLine();
        String[] out = RunFile.expand(cli, new String[] {"train", "--config", f.toString(), "--epochs", "7"});
        assertArrayEquals(new String[] {"train", "--dataset", "synthetic-faces", "--loss", "softmax", "--loss",
            "center:weight=0.01", "--epochs", "3", "--lr", "constant:lr=0.5", "--force", "--weight-decay", "0.0005",
            "--epochs", "7"}, out);
        // the later --epochs wins: the command parses with overwritten options allowed
        CommandLine.ParseResult parsed = cli.parseArgs(out);
        TrainCommand train = (TrainCommand) parsed.subcommand().commandSpec().userObject();
        assertEquals(7, train.training.epochs);
        assertEquals(List.of("softmax", "center:weight=0.01"), train.losses);
        assertEquals(5e-4, train.weightDecay, 0.0);
        assertTrue(train.force);
        assertArrayEquals(new String[] {"train", "--epochs", "2"},
                RunFile.expand(Metric4j.commandLine(), new String[] {"train", "--epochs", "2"}));
    }

    @Test
    void badRunFilesNameTheFileTheKeyAndTheChoices(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("bad.json");
        Files.writeString(f, "{\"dataset\": \"synthetic-faces\", \"lossses\": [\"softmax\"]}");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RunFile.expand(Metric4j.commandLine(), new String[] {"train", "--config", f.toString()}));
        assertTrue(e.getMessage().contains(f.toString()) && e.getMessage().contains("'lossses'")
                && e.getMessage().contains("loss, ") && e.getMessage().contains("dataset"), e.getMessage());

        Files.writeString(f, "{\"command\": \"compare\"}");
        e = assertThrows(IllegalArgumentException.class,
                () -> RunFile.expand(Metric4j.commandLine(), new String[] {"train", "--config=" + f}));
        assertTrue(e.getMessage().contains("not for 'train'"), e.getMessage());

        Files.writeString(f, "{\"loss\": {\"name\": \"softmax\"}}");
        e = assertThrows(IllegalArgumentException.class,
                () -> RunFile.expand(Metric4j.commandLine(), new String[] {"train", "--config", f.toString()}));
        assertTrue(e.getMessage().contains("'loss'") && e.getMessage().contains("an object"), e.getMessage());

        Files.writeString(f, "[1, 2]");
        e = assertThrows(IllegalArgumentException.class,
                () -> RunFile.expand(Metric4j.commandLine(), new String[] {"train", "--config", f.toString()}));
        assertTrue(e.getMessage().contains("one JSON object"), e.getMessage());

        Files.writeString(f, "{\"dataset\": ");
        e = assertThrows(IllegalArgumentException.class,
                () -> RunFile.expand(Metric4j.commandLine(), new String[] {"train", "--config", f.toString()}));
        assertTrue(e.getMessage().contains("not valid JSON"), e.getMessage());

        CliRun r = CliRun.of("train", "--config", dir.resolve("missing.json").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("missing.json") && r.err().contains("cannot read"), r.err());
        r = CliRun.of("train", "--config");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--config needs a run file"), r.err());
    }

    @Test
    void everyShippedExperimentParsesAndNamesKnownComponents() throws IOException {
        Path experiments = Path.of("..", "experiments");
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(experiments, "*.json")) {
            s.forEach(files::add);
        }
        assertTrue(files.size() >= 5, "expected the experiments of issue #6 in " + experiments.toAbsolutePath());
        for (Path f : files) {
            String command = com.google.gson.JsonParser.parseString(Files.readString(f)).getAsJsonObject()
                    .get("command").getAsString();
            if (command.equals("train")) {
                checkTrainRunFile(f);
                continue;
            }
            CommandLine cli = Metric4j.commandLine();
            String[] args = RunFile.expand(cli, new String[] {"compare", "--config", f.toString(), "--output", "x"});
            CompareCommand c = (CompareCommand) cli.parseArgs(args).subcommand().commandSpec().userObject();
            Components.Context ctx = new Components.Context(10, new TrainingClock());
            for (String loss : c.losses) {
                for (String part : loss.split("\\+")) {
                    Components.LOSSES.create(part, ctx);
                }
            }
            for (String b : c.backbones) {
                Components.BACKBONES.create(b, null);
            }
            assertTrue(c.dataset.startsWith("fashion-mnist") || c.dataset.startsWith("synthetic-faces"),
                    f + ": " + c.dataset);
            for (String finding : c.findings == null ? List.<String>of() : c.findings) {
                org.metric4j.report.Finding.parse(finding, c.backbones.size() == 1 ? c.losses : List.of());
            }
            if (c.dataset.startsWith("synthetic-faces")) { // its keys and values build (fashion-mnist's need the data)
                org.metric4j.train.Datasets.DATASETS.create(c.dataset, 1L);
            }
        }
    }

    /**
     * A {@code train} run file: its options parse, its backbone, losses and schedule build. Its
     * dataset may be one this machine does not hold (the InsightFace recipes name MS1MV3's RecordIO
     * directory), so only its kind is checked.
     */
    private static void checkTrainRunFile(Path f) {
        CommandLine cli = Metric4j.commandLine();
        String[] args = RunFile.expand(cli, new String[] {"train", "--config", f.toString(), "--output", "x"});
        TrainCommand t = (TrainCommand) cli.parseArgs(args).subcommand().commandSpec().userObject();
        Components.Context ctx = new Components.Context(10, new TrainingClock());
        for (String loss : t.losses) {
            Components.LOSSES.create(loss, ctx);
        }
        Components.BACKBONES.create(t.backbone, null);
        assertTrue(Components.LEARNING_RATES.create(t.training.lr, null).apply(100).valueAt(0) > 0, f + ": " + t.training.lr);
        assertTrue(t.dataset.startsWith("rec:") || t.dataset.startsWith("synthetic-faces"), f + ": " + t.dataset);
    }

    /** experiments/insightface-ms1mv3-r50.json states arcface_torch's ms1mv3_r50 config. */
    @Test
    void theInsightFaceRecipeStatesArcfaceTorchsMs1mv3R50() {
        Path f = Path.of("..", "experiments", "insightface-ms1mv3-r50.json");
        CommandLine cli = Metric4j.commandLine();
        String[] args = RunFile.expand(cli, new String[] {"train", "--config", f.toString()});
        TrainCommand t = (TrainCommand) cli.parseArgs(args).subcommand().commandSpec().userObject();
        assertEquals("iresnet:depth=50,dim=512", t.backbone);
        assertEquals(List.of("combined:scale=64,m1=1,m2=0.5,m3=0"), t.losses);
        assertEquals("sgd", t.training.optimizer);
        assertEquals(0.9, t.momentum);
        assertEquals(5e-4, t.weightDecay);
        assertTrue(t.weightDecayAll && t.flip);
        assertEquals(5, t.clipGradNorm);
        assertEquals(1, t.gradAccumulation);
        assertEquals(1024, t.training.batchSize, "128 per GPU x 8 GPUs");
        assertEquals(20, t.training.epochs);
        assertEquals(2048, t.seedOption.seed);
        assertEquals(1.0, t.sampleRate);
        assertEquals(List.of("lfw.bin", "cfp_fp.bin", "agedb_30.bin"),
                t.val.stream().map(p -> p.getFileName().toString()).toList());
        org.metric4j.schedule.Schedule lr = Components.LEARNING_RATES.create(t.training.lr, null).apply(5058);
        assertEquals(0.1, lr.valueAt(0), 1e-15);
        assertEquals(0.1 * (1 - 5058.0 / 101160), lr.valueAt(5058), 1e-15, "power 1 over 20 x 5,058 steps");
    }
}
