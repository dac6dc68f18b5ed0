package org.metric4j.cli;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.metric4j.model.BlockEmbedder;
import org.metric4j.model.ChosenPreprocessing;
import org.metric4j.model.EmbeddingNetwork;
import org.metric4j.model.OnnxEmbedder;
import org.metric4j.model.OnnxGraph;
import org.metric4j.model.OnnxNormalizationRule;
import org.metric4j.model.Preprocessing;
import org.metric4j.model.PreprocessedEmbedder;
import org.metric4j.model.TorchScriptEmbedder;
import org.metric4j.model.torch.StateDict;
import org.metric4j.model.torch.TorchStateful;
import org.metric4j.train.Components;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * Where a network comes from, for the commands that run one ({@code embed}, {@code evaluate
 * --bin}, {@code evaluate --ijb}): exactly one of {@code --model RUN/model} (a trained backbone), {@code --torchscript},
 * {@code --onnx} and {@code --backbone SPEC --weights FILE.pth} (with {@code --weights-key}), and
 * the loading of each into an {@link EmbeddingNetwork}. Every bad choice or file is one line naming
 * the option, exit code 2.
 */
final class ModelSource {

    @Option(names = "--model", description = "A trained model directory (RUN/model from 'train').")
    Path model;

    @Option(names = "--torchscript", description = "Instead of --model: a TorchScript file exported from PyTorch "
            + "(default preprocessing InsightFace's: 112 x 112 RGB, (v - 127.5) / 127.5), applied to --images or --tensors.")
    Path torchscript;

    @Option(names = "--onnx", description = "Instead of --model: an ONNX file run by DJL's ONNX Runtime engine, applied "
            + "to --images or --tensors (default preprocessing by InsightFace's rule: mean 0, std 1 when the graph "
            + "starts with Sub and Mul, else 127.5, 127.5; the size from its declared input).")
    Path onnx;

    @Option(names = "--backbone", paramLabel = "SPEC", description = "With --weights: the backbone the weights are for "
            + "(iresnet:depth=50,dim=512, iresnet:layers=a-b-c-d,dim=F, mobilefacenet:dim=512, mobilefacenet-large:dim=512).")
    String backbone;

    @Option(names = "--weights", paramLabel = "FILE.pth", description = "Instead of --model: a PyTorch state dict "
            + "(torch.save(model.state_dict())) loaded strictly into --backbone, applied to --images, --tensors "
            + "(default preprocessing InsightFace's) or a --dataset.")
    Path weights;

    /** --weights-key. */
    @Mixin PyTorchWeights pytorch;

    /** The number of model options given (--backbone aside). */
    int count() {
        return (model != null ? 1 : 0) + (torchscript != null ? 1 : 0) + (onnx != null ? 1 : 0) + (weights != null ? 1 : 0);
    }

    /** Exactly one model, and --backbone with --weights and only with it. */
    void check(CommandSpec spec) {
        int models = count();
        if (models != 1) {
            throw new ParameterException(spec.commandLine(), "give exactly one of --model DIR, --torchscript FILE, "
                    + "--onnx FILE and --weights FILE.pth, got " + models);
        }
        if ((backbone == null) != (weights == null)) {
            throw new ParameterException(spec.commandLine(), backbone == null
                    ? "--weights " + weights + " needs --backbone SPEC (the architecture the weights are for)"
                    : "--backbone " + backbone + " needs --weights FILE.pth (a trained --model names its own backbone)");
        }
    }

    /** The option naming the imported model file: --torchscript, --onnx or --weights. */
    String importedOption() {
        return torchscript != null ? "--torchscript" : onnx != null ? "--onnx" : "--weights";
    }

    /** The imported model file (--torchscript, --onnx or --weights). */
    Path importedFile() {
        return torchscript != null ? torchscript : onnx != null ? onnx : weights;
    }

    /** The default before preprocessing.json and the options: InsightFace's for TorchScript and weights, its rule for ONNX. */
    ChosenPreprocessing basePreprocessing() throws IOException {
        return torchscript != null || weights != null
                ? new ChosenPreprocessing(Preprocessing.INSIGHTFACE, "InsightFace's default for " + importedOption())
                : OnnxNormalizationRule.choose(OnnxGraph.read(onnx), onnx.toString());
    }

    /**
     * --backbone built for C x H x W inputs with --weights loaded strictly, as a network; a bad spec,
     * file or key set is one line naming the option.
     */
    BlockEmbedder loadWeights(CommandSpec spec, Device device, int channels, int height, int width) {
        Block block;
        try {
            block = Components.BACKBONES.create(backbone, null);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--backbone " + backbone + ": " + e.getMessage());
        }
        TorchStateful stateful = PyTorchWeights.stateful(spec, "--weights", backbone, block);
        StateDict sd = pytorch.read(spec, "--weights", weights);
        NDManager manager = NDManager.newBaseManager(device);
        try {
            block.initialize(manager, DataType.FLOAT32, new Shape(1, channels, height, width));
            PyTorchWeights.load(spec, "--weights", weights, sd, stateful);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
        return new BlockEmbedder(block, manager);
    }

    /**
     * A trained run's model directory: its backbone spec, its dataset spec and its parameters file.
     *
     * @param backbone the backbone spec of backbone.json
     * @param dataset the dataset spec of backbone.json
     * @param params backbone.params
     */
    record Trained(String backbone, String dataset, Path params) {}

    /** --model's backbone.json and backbone.params, or one line saying what is missing. */
    Trained trained(CommandSpec spec) throws IOException {
        Path info = model.resolve("backbone.json");
        Path params = model.resolve("backbone.params");
        if (!Files.isRegularFile(info) || !Files.isRegularFile(params)) {
            throw new ParameterException(spec.commandLine(), "--model " + model
                    + " must hold backbone.json and backbone.params (the model/ directory of a 'train' run)");
        }
        JsonObject json = JsonParser.parseString(Files.readString(info, StandardCharsets.UTF_8)).getAsJsonObject();
        return new Trained(json.get("backbone").getAsString(), json.get("dataset").getAsString(), params);
    }

    /** A trained backbone built for C x H x W inputs with its backbone.params. */
    static BlockEmbedder loadTrained(Trained trained, Device device, int channels, int height, int width)
            throws IOException, ai.djl.MalformedModelException {
        NDManager manager = NDManager.newBaseManager(device);
        try {
            Block block = Components.BACKBONES.create(trained.backbone(), null);
            block.initialize(manager, DataType.FLOAT32, new Shape(1, channels, height, width));
            try (DataInputStream in = new DataInputStream(Files.newInputStream(trained.params()))) {
                block.loadParameters(manager, in);
            }
            return new BlockEmbedder(block, manager);
        } catch (IOException | ai.djl.MalformedModelException | RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /**
     * The imported network (--torchscript, --onnx or --backbone with --weights) for inputs of the
     * preprocessing; --weights takes 112 x 112 NCHW inputs.
     */
    EmbeddingNetwork imported(CommandSpec spec, Device device, Preprocessing p) throws IOException {
        if (weights != null) {
            return loadWeights(spec, device, 3, p.height(), p.width());
        }
        return torchscript != null
                ? TorchScriptEmbedder.load(torchscript, p.height(), p.width(), device)
                : OnnxEmbedder.load(onnx, p, device, 0);
    }

    /**
     * An embedder of decoded face images: the model with its preprocessing (for an imported file:
     * the default of {@link #basePreprocessing}, then {@value Preprocessing#FILE_NAME} beside the file;
     * for a trained --model: InsightFace's, 3 x 112 x 112); with flip-sum as {@code withFlipSum} says.
     */
    PreprocessedEmbedder faceEmbedder(CommandSpec spec, Device device, boolean withFlipSum)
            throws IOException, ai.djl.MalformedModelException {
        check(spec);
        Preprocessing p;
        EmbeddingNetwork network;
        if (model != null) {
            p = Preprocessing.INSIGHTFACE;
            network = loadTrained(trained(spec), device, 3, p.height(), p.width());
        } else {
            Path file = importedFile();
            if (!Files.isRegularFile(file)) {
                throw new ParameterException(spec.commandLine(), importedOption() + " " + file + ": no such file");
            }
            p = new PreprocessingOptions().resolve(spec, basePreprocessing(), file).preprocessing();
            if (weights != null && (p.height() != 112 || p.width() != 112 || p.layout() != Preprocessing.Layout.NCHW)) {
                throw new ParameterException(spec.commandLine(), "--backbone " + backbone
                        + " takes N x 3 x 112 x 112 inputs, the preprocessing gives " + p);
            }
            network = imported(spec, device, p);
        }
        return new PreprocessedEmbedder(network, p.with(p.fit(), p.channels(), p.layout(), withFlipSum));
    }
}
