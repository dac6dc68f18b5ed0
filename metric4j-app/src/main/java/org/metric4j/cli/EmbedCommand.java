package org.metric4j.cli;

import ai.djl.Device;
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
import org.metric4j.dataset.LabeledImages;
import org.metric4j.engine.DistributedEngine;
import org.metric4j.engine.EmbedJob;
import org.metric4j.eval.EmbeddingSet;
import org.metric4j.io.EmbeddingFiles;
import org.metric4j.io.FileTrees;
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

    @Option(names = "--model", description = "A trained model directory (RUN/model from 'train').")
    Path model;

    @Option(names = "--torchscript", description = "Instead of --model: a TorchScript file exported from PyTorch "
            + "(InsightFace preprocessing, 112 x 112 RGB), applied to --images.")
    Path torchscript;

    @Option(names = "--images", description = "With --torchscript: an image folder (one sub-directory per identity).")
    Path images;

    @Option(names = "--flip-sum", description = "With --torchscript: InsightFace's flip-sum embedding.")
    boolean flipSum;

    @Option(names = "--dataset", description = "Dataset spec (default: the one the model was trained on).")
    String dataset;

    @Option(names = "--split", defaultValue = "heldout",
            description = "train or heldout (test split / unseen identities) (default: ${DEFAULT-VALUE}).")
    String split;

    @Option(names = "--output", required = true, description = "The .npy file to write (labels and names go beside it).")
    Path output;

    @Option(names = "--force", description = "Overwrite existing files.")
    boolean force;

    /** --seed (of generated datasets). */
    @picocli.CommandLine.Mixin SeedOption seed;

    /** --device. */
    @picocli.CommandLine.Mixin DeviceOption deviceOption;

    /** --engine, --master, --partitions. */
    @picocli.CommandLine.Mixin EngineOptions engine;

    private Path[] outputs() {
        String base = output.toString().substring(0, output.toString().length() - 4);
        Path[] all = {output, Path.of(base + "-labels.npy"), Path.of(base + "-names.txt")};
        for (Path p : all) {
            if (Files.exists(p) && !force) {
                throw new ParameterException(spec.commandLine(), p + " exists; give --force to overwrite it");
            }
        }
        return all;
    }

    private int embedTorchScript(Device device) throws Exception {
        if (images == null || !Files.isDirectory(images)) {
            throw new ParameterException(spec.commandLine(), "--torchscript needs --images DIR (an image folder), got " + images);
        }
        Path[] files = outputs();
        LabeledImages data = org.metric4j.data.ImageFolder.builder().setRoot(images).optSize(112, 112).build();
        try (org.metric4j.model.TorchScriptEmbedder ts =
                org.metric4j.model.TorchScriptEmbedder.load(torchscript, 112, 112, device)) {
            EmbeddingSet set = ts.embed(data, flipSum, 64);
            write(set, files);
            spec.commandLine().getOut().printf(Locale.ROOT, "wrote %d x %d embeddings of %s by %s%s to %s%n",
                    set.size(), set.dim(), images, torchscript, flipSum ? " (flip-sum)" : "", output);
        }
        spec.commandLine().getOut().flush();
        return 0;
    }

    private static void write(EmbeddingSet set, Path[] files) throws java.io.IOException {
        if (files[0].getParent() != null) {
            Files.createDirectories(files[0].getParent());
        }
        EmbeddingFiles.writeNpy(set, files[0], files[1], DataType.FLOAT32);
        Files.write(files[2], List.of(set.names()), StandardCharsets.UTF_8);
    }

    @Override
    public Integer call() throws Exception {
        if ((model == null) == (torchscript == null)) {
            throw new ParameterException(spec.commandLine(), "give exactly one of --model DIR and --torchscript FILE");
        }
        Device device = deviceOption.resolve(spec);
        engine.sparkConf(spec.commandLine());
        if (!engine.local()) {
            if (torchscript == null || images == null) {
                throw new ParameterException(spec.commandLine(), "--engine " + engine.engine
                        + " embeds --images with a --torchscript model");
            }
            if (Files.exists(output)) {
                if (!force) {
                    throw new ParameterException(spec.commandLine(), "--output " + output
                            + " exists; give --force to overwrite it");
                }
                FileTrees.delete(output);
            }
            DistributedEngine.find(engine.engine).embed(new EmbedJob(engine.master, torchscript, flipSum, images,
                    output, engine.partitions, org.metric4j.engine.DeviceNames.of(device),
                    engine.sparkConf(spec.commandLine())), spec.commandLine().getOut());
            return 0;
        }
        if (!output.toString().endsWith(".npy")) {
            throw new ParameterException(spec.commandLine(), "--output must end with .npy, got " + output);
        }
        if (torchscript != null) {
            return embedTorchScript(device);
        }
        Path info = model.resolve("backbone.json");
        Path params = model.resolve("backbone.params");
        if (!Files.isRegularFile(info) || !Files.isRegularFile(params)) {
            throw new ParameterException(spec.commandLine(), "--model " + model
                    + " must hold backbone.json and backbone.params (the model/ directory of a 'train' run)");
        }
        Path[] files = outputs();
        JsonObject json = JsonParser.parseString(Files.readString(info, StandardCharsets.UTF_8)).getAsJsonObject();
        String backboneSpec = json.get("backbone").getAsString();
        Datasets.TrainData data = Datasets.DATASETS.create(
                dataset != null ? dataset : json.get("dataset").getAsString(), seed.seed);
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
        try (NDManager manager = NDManager.newBaseManager(device)) {
            Block backbone = Components.BACKBONES.create(backboneSpec, null);
            backbone.initialize(manager, DataType.FLOAT32,
                    new Shape(1, images.channels(), images.height(), images.width()));
            try (DataInputStream in = new DataInputStream(Files.newInputStream(params))) {
                backbone.loadParameters(manager, in);
            }
            EmbeddingSet set = Embedder.embed(backbone, images, 0, manager);
            write(set, files);
            out.printf(Locale.ROOT, "wrote %d x %d embeddings of %s (%s) to %s, labels to %s, names to %s%n",
                    set.size(), set.dim(), data.name(), split, files[0], files[1], files[2]);
        }
        out.flush();
        return 0;
    }
}
