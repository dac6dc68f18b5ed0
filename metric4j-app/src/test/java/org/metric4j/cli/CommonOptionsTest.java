package org.metric4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.metric4j.engine.DeviceNames;
import picocli.CommandLine;

/** The shared options (mixins): training options, --seed, -v, --device. */
class CommonOptionsTest {

    /** Every subcommand path under the root ("train", "index build", ...), help excluded. */
    private static List<List<String>> subcommands(CommandLine line, List<String> prefix) {
        List<List<String>> out = new ArrayList<>();
        for (Map.Entry<String, CommandLine> e : line.getSubcommands().entrySet()) {
            if (e.getKey().equals("help")) {
                continue;
            }
            List<String> path = new ArrayList<>(prefix);
            path.add(e.getKey());
            out.add(path);
            out.addAll(subcommands(e.getValue(), path));
        }
        return out;
    }

    @Test
    void verboseParsesOnEverySubcommandAndSetsMetric4jDebug() {
        List<List<String>> paths = subcommands(Metric4j.commandLine(), List.of());
        assertTrue(paths.size() >= 10, "subcommands: " + paths);
        String before = System.getProperty(VerbosityOption.PROPERTY);
        try {
            for (List<String> path : paths) {
                for (String flag : new String[] {"-v", "--verbose"}) {
                    System.clearProperty(VerbosityOption.PROPERTY);
                    List<String> args = new ArrayList<>(path);
                    args.add(flag);
                    CommandLine cli = Metric4j.commandLine();
                    try {
                        cli.parseArgs(args.toArray(new String[0]));
                    } catch (CommandLine.MissingParameterException missing) {
                        // the subcommand's required options: -v itself was accepted
                    }
                    assertEquals("debug", System.getProperty(VerbosityOption.PROPERTY), String.join(" ", args));
                }
            }
            System.clearProperty(VerbosityOption.PROPERTY);
            Metric4j.commandLine().parseArgs("-v", "bench", "--suite", "pair");
            assertEquals("debug", System.getProperty(VerbosityOption.PROPERTY), "-v before the subcommand");
            // a metric4j logger created after -v logs debug; one created without it does not
            assertTrue(org.slf4j.LoggerFactory.getLogger("org.metric4j.probe.verbose").isDebugEnabled());
            assertFalse(org.slf4j.LoggerFactory.getLogger("ai.djl.probe.verbose").isDebugEnabled(),
                    "-v is for metric4j's logs, not every library's");
            System.clearProperty(VerbosityOption.PROPERTY);
            Metric4j.commandLine().parseArgs("bench", "--suite", "pair");
            assertEquals(null, System.getProperty(VerbosityOption.PROPERTY), "without -v");
            assertFalse(org.slf4j.LoggerFactory.getLogger("org.metric4j.probe.quiet").isDebugEnabled());
        } finally {
            if (before == null) {
                System.clearProperty(VerbosityOption.PROPERTY);
            } else {
                System.setProperty(VerbosityOption.PROPERTY, before);
            }
        }
    }

    @Test
    void trainAndCompareShareTheTrainingOptionsWithTheirOwnDefaults() {
        CommandLine cli = Metric4j.commandLine();
        cli.parseArgs("train");
        TrainingOptions train = ((TrainCommand) cli.getSubcommands().get("train").getCommand()).training;
        assertEquals("sgd", train.optimizer);
        assertEquals("constant:lr=0.01", train.lr);
        assertEquals(5, train.epochs);
        assertEquals(128, train.batchSize);
        cli = Metric4j.commandLine();
        cli.parseArgs("compare", "--loss", "softmax", "--output", "x", "--epochs", "3", "--pk", "8x4");
        TrainingOptions compare = ((CompareCommand) cli.getSubcommands().get("compare").getCommand()).training;
        assertEquals("adam", compare.optimizer);
        assertEquals("constant:lr=0.003", compare.lr);
        assertEquals(3, compare.epochs);
        assertEquals("8x4", compare.pk);
        String help = usage("train");
        assertTrue(help.contains("sgd, adam or adamw (default: sgd)") && help.contains("Epochs of each run (default: 5)")
                && help.contains("(default: constant:lr=0.01)"), help);
        help = usage("compare");
        assertTrue(help.contains("sgd, adam or adamw (default: adam)") && help.contains("Epochs of each run (default: 1)")
                && help.contains("(default: constant:lr=0.003)"), help);
    }

    /** A subcommand's help, wide enough that no description wraps. */
    private static String usage(String command) {
        CommandLine sub = Metric4j.commandLine().getSubcommands().get(command);
        sub.setUsageHelpWidth(240);
        sub.setUsageHelpLongOptionsMaxWidth(40);
        return sub.getUsageMessage();
    }

    @Test
    void seedIsOneOptionWithOneDescription() {
        for (String command : new String[] {"train", "compare", "embed", "evaluate", "bench"}) {
            CliRun help = CliRun.of(command, "--help");
            assertEquals(0, help.code(), command);
            assertTrue(usage(command).contains("Random seed (default: 1)"), command + " --help:\n" + usage(command));
            CommandLine.Model.OptionSpec seed = Metric4j.commandLine().getSubcommands().get(command)
                    .getCommandSpec().findOption("--seed");
            assertEquals("1", seed.defaultValue(), command);
        }
    }

    @Test
    void deviceIsOnEveryCommandThatRunsAModel() {
        for (String command : new String[] {"train", "embed", "evaluate", "compare", "demo", "bench"}) {
            CommandLine.Model.OptionSpec device = Metric4j.commandLine().getSubcommands().get(command)
                    .getCommandSpec().findOption("--device");
            assertNotNull(device, command);
            assertEquals("cpu", device.defaultValue(), command);
        }
    }

    /** Each command with the arguments that get it past its own checks to the device. */
    private static String[][] commandsWithDevice(Path dir, String device) {
        String out = dir.resolve("out").toString();
        return new String[][] {
            {"train", "--device", device, "--output", out},
            {"embed", "--device", device, "--model", dir.toString(), "--output", out + ".npy"},
            {"evaluate", "--device", device, "--embeddings", out + ".npy", "--retrieval"},
            {"compare", "--device", device, "--loss", "softmax", "--output", out},
            {"demo", "--device", device, "--output", out},
            {"bench", "--device", device, "--suite", "pair"},
        };
    }

    @Test
    void aMissingGpuFailsCleanlyOnEveryCommand(@TempDir Path dir) throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(ai.djl.engine.Engine.getInstance().getGpuCount() == 0,
                "this machine has a GPU");
        for (String[] args : commandsWithDevice(dir, "gpu")) {
            CliRun r = CliRun.of(args);
            assertEquals(2, r.code(), String.join(" ", args) + "\n" + r.err());
            assertEquals("metric4j " + args[0] + ": error: --device gpu: no GPU visible to DJL's PyTorch engine "
                    + "(Engine.getGpuCount() = 0); use cpu", r.err().strip(), String.join(" ", args));
            assertEquals("", r.out(), String.join(" ", args));
            try (var files = Files.list(dir)) {
                assertEquals(0, files.count(), "nothing written by " + String.join(" ", args));
            }
        }
        CliRun r = CliRun.of("bench", "--suite", "pair", "--device", "gpu1");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--device gpu1: no GPU visible"), r.err());
    }

    @Test
    void anUnknownDeviceNameFailsCleanly(@TempDir Path dir) throws Exception {
        for (String bad : new String[] {"bogus", "cuda", "gpu-1", "tpu0"}) {
            for (String[] args : commandsWithDevice(dir, bad)) {
                CliRun r = CliRun.of(args);
                assertEquals(2, r.code(), String.join(" ", args) + "\n" + r.err());
                assertEquals("metric4j " + args[0] + ": error: --device " + bad
                        + ": not a DJL device name; expected cpu, gpu, gpu0, gpu1, ...", r.err().strip());
                try (var files = Files.list(dir)) {
                    assertEquals(0, files.count(), "nothing written by " + String.join(" ", args));
                }
            }
        }
    }

    @Test
    void theMixinsOptionsAreRunFileKeys(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("run.json");
        Files.writeString(file, "{\"command\": \"compare\", \"loss\": [\"softmax\"], \"seed\": 7, \"epochs\": 3, "
                + "\"optimizer\": \"sgd\", \"verbose\": true, \"device\": \"cpu\"}");
        CommandLine cli = Metric4j.commandLine();
        String[] args = RunFile.expand(cli, new String[] {"compare", "--config", file.toString(), "--output", "x"});
        String before = System.getProperty(VerbosityOption.PROPERTY);
        cli.parseArgs(args);
        assertEquals("debug", System.getProperty(VerbosityOption.PROPERTY), "\"verbose\": true");
        if (before == null) {
            System.clearProperty(VerbosityOption.PROPERTY);
        } else {
            System.setProperty(VerbosityOption.PROPERTY, before);
        }
        CompareCommand compare = (CompareCommand) cli.getSubcommands().get("compare").getCommand();
        assertEquals(7, compare.seed.seed);
        assertEquals(3, compare.training.epochs);
        assertEquals("sgd", compare.training.optimizer);
        assertEquals("constant:lr=0.003", compare.training.lr, "compare's default where the file is silent");
        assertEquals("cpu", compare.deviceOption.name);
        Files.writeString(file, "{\"device\": \"bogus\"}");
        CliRun r = CliRun.of("train", "--config", file.toString(), "--output", dir.resolve("out").toString());
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("--device bogus: not a DJL device name"), r.err());
        assertFalse(Files.exists(dir.resolve("out")));
    }

    @Test
    void deviceNamesRoundTrip() {
        assertEquals(Device.cpu(), DeviceNames.parse("cpu"));
        assertEquals(Device.gpu(0), DeviceNames.parse("gpu"));
        assertEquals(Device.gpu(0), DeviceNames.parse("gpu0"));
        assertEquals(Device.gpu(3), DeviceNames.parse("gpu3"));
        assertEquals("cpu", DeviceNames.of(Device.cpu()));
        assertEquals("gpu0", DeviceNames.of(Device.gpu()));
        assertEquals("gpu2", DeviceNames.of(Device.gpu(2)));
        for (String bad : new String[] {"bogus", "GPU(1)", "", "gpu:1"}) {
            IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> DeviceNames.parse(bad), bad);
            assertTrue(e.getMessage().contains("'" + bad + "'"), e.getMessage());
        }
        assertFalse(DeviceNames.parse("cpu").isGpu());
    }
}
