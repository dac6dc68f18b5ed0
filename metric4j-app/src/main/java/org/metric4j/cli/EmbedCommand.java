package org.metric4j.cli;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.DataInputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.metric4j.data.LabeledImages;
import org.metric4j.eval.EmbeddingSet;
import org.metric4j.train.Components;
import org.metric4j.train.Datasets;
import org.metric4j.train.Embedder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code metric4j embed}: embeddings of a dataset by a trained backbone (the {@code model/}
 * directory that {@code train} writes), saved as .npy with labels and names for {@code evaluate}
 * or any other tool.
 */
@Command(name = "embed", mixinStandardHelpOptions = true,
        description = "Export the embeddings of a dataset as .npy (float32 N x D) with labels (.npy) and names (.txt).")
final class EmbedCommand implements Callable<Integer> {

    @Spec CommandSpec spec;

    @Option(names = "--model", required = true, description = "A trained model directory (RUN/model from 'train').")
    Path model;

    @Option(names = "--dataset", description = "Dataset spec (default: the one the model was trained on).")
    String dataset;

    @Option(names = "--split", defaultValue = "heldout",
            description = "train or heldout (test split / unseen identities) (default: ${DEFAULT-VALUE}).")
    String split;

    @Option(names = "--output", required = true, description = "The .npy file to write (labels and names go beside it).")
    Path output;

    @Option(names = "--force", description = "Overwrite existing files.")
    boolean force;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of generated datasets (default: ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public Integer call() throws Exception {
        Path info = model.resolve("backbone.json");
        Path params = model.resolve("backbone.params");
        if (!Files.isRegularFile(info) || !Files.isRegularFile(params)) {
            throw new ParameterException(spec.commandLine(), "--model " + model
                    + " must hold backbone.json and backbone.params (the model/ directory of a 'train' run)");
        }
        if (!output.toString().endsWith(".npy")) {
            throw new ParameterException(spec.commandLine(), "--output must end with .npy, got " + output);
        }
        String base = output.toString().substring(0, output.toString().length() - 4);
        Path labels = Path.of(base + "-labels.npy");
        Path names = Path.of(base + "-names.txt");
        for (Path p : List.of(output, labels, names)) {
            if (Files.exists(p) && !force) {
                throw new ParameterException(spec.commandLine(), p + " exists; give --force to overwrite it");
            }
        }
        JsonObject json = JsonParser.parseString(Files.readString(info, StandardCharsets.UTF_8)).getAsJsonObject();
        String backboneSpec = json.get("backbone").getAsString();
        Datasets.TrainData data = Datasets.DATASETS.create(
                dataset != null ? dataset : json.get("dataset").getAsString(), seed);
        LabeledImages images;
        switch (split.toLowerCase(Locale.ROOT)) {
            case "train":
                images = data.train();
                break;
            case "heldout":
                images = data.heldOut();
                break;
            default:
                throw new ParameterException(spec.commandLine(), "--split must be train or heldout, got '" + split + "'");
        }
        PrintWriter out = spec.commandLine().getOut();
        try (NDManager manager = NDManager.newBaseManager()) {
            Block backbone = Components.BACKBONES.create(backboneSpec, null);
            backbone.initialize(manager, DataType.FLOAT32,
                    new Shape(1, images.channels(), images.height(), images.width()));
            try (DataInputStream in = new DataInputStream(Files.newInputStream(params))) {
                backbone.loadParameters(manager, in);
            }
            EmbeddingSet set = Embedder.embed(backbone, images, 0, manager);
            if (output.getParent() != null) {
                Files.createDirectories(output.getParent());
            }
            set.writeNpy(output, labels, false);
            Files.write(names, List.of(set.names()), StandardCharsets.UTF_8);
            out.printf(Locale.ROOT, "wrote %d x %d embeddings of %s (%s) to %s, labels to %s, names to %s%n",
                    set.size(), set.dim(), data.name(), split, output, labels, names);
        }
        out.flush();
        return 0;
    }
}
