package org.metric4j.cli;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.DataInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.metric4j.model.torch.StateDict;
import org.metric4j.model.torch.StateDictLoader;
import org.metric4j.model.torch.StateDictWriter;
import org.metric4j.model.torch.TorchStateful;
import org.metric4j.train.Components;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code metric4j export}: a trained backbone ({@code RUN/model} of {@code train}) as a PyTorch
 * state dict ({@code --format pth}) that {@code torch.load} reads and InsightFace's module of the
 * same architecture loads with {@code load_state_dict(sd, strict=True)}: its keys, shapes and
 * dtypes, {@code num_batches_tracked} as int64 included. Only backbones with PyTorch keys ({@link
 * Components#PYTORCH_BACKBONES}) export. The file is written beside the output and moved into
 * place, so a failure leaves an existing file as it was.
 */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = "Export a trained backbone as a PyTorch state dict (.pth) with InsightFace's key names.",
        footer = {"", "Example: export --model runs/x/model --format pth --output backbone.pth"})
final class ExportCommand implements Callable<Integer> {

    /** The formats this command writes. */
    static final String PTH = "pth";

    @Spec CommandSpec spec;

    @Option(names = "--model", required = true, description = "A trained model directory (RUN/model from 'train').")
    Path model;

    @Option(names = "--format", defaultValue = PTH, description = "Output format: pth (default: ${DEFAULT-VALUE}).")
    String format;

    @Option(names = "--output", required = true, description = "The file to write.")
    Path output;

    @Option(names = "--force", description = "Overwrite an existing --output file.")
    boolean force;

    @Override
    public Integer call() throws Exception {
        if (!PTH.equals(format.toLowerCase(Locale.ROOT))) {
            throw new ParameterException(spec.commandLine(), "--format " + format + ": expected pth");
        }
        Path info = model.resolve("backbone.json");
        Path params = model.resolve("backbone.params");
        if (!Files.isRegularFile(info) || !Files.isRegularFile(params)) {
            throw new ParameterException(spec.commandLine(), "--model " + model
                    + " must hold backbone.json and backbone.params (the model/ directory of a 'train' run)");
        }
        if (Files.exists(output) && !force) {
            throw new ParameterException(spec.commandLine(), "--output " + output + " exists; give --force to overwrite it");
        }
        JsonObject json = JsonParser.parseString(Files.readString(info, StandardCharsets.UTF_8)).getAsJsonObject();
        String backbone = json.get("backbone").getAsString();
        Block block = Components.BACKBONES.create(backbone, null);
        TorchStateful stateful = PyTorchWeights.stateful(spec, "--format pth", backbone, block);
        JsonArray in = json.getAsJsonArray("input");
        Shape input = new Shape(1, in.get(0).getAsLong(), in.get(1).getAsLong(), in.get(2).getAsLong());
        StateDict sd;
        try (NDManager manager = NDManager.newBaseManager()) {
            block.initialize(manager, DataType.FLOAT32, input);
            try (DataInputStream is = new DataInputStream(Files.newInputStream(params))) {
                block.loadParameters(manager, is);
            }
            sd = StateDictLoader.stateDict(stateful); // copies the values out of the arrays
        }
        Path dir = output.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, output.getFileName().toString(), ".tmp");
        try {
            StateDictWriter.write(sd, tmp);
            Files.move(tmp, output, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
        spec.commandLine().getOut().printf(Locale.ROOT, "wrote %d tensors (%d elements) of %s to %s%n",
                sd.size(), sd.numElements(), backbone, output);
        spec.commandLine().getOut().flush();
        return 0;
    }
}
