package org.metric4j.cli;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
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
import org.metric4j.engine.ImportedModel;
import org.metric4j.eval.EmbeddingSet;
import org.metric4j.io.EmbeddingFiles;
import org.metric4j.io.FileTrees;
import org.metric4j.io.NpyFormat;
import org.metric4j.model.BlockEmbedder;
import org.metric4j.model.ChosenPreprocessing;
import org.metric4j.model.EmbeddingNetwork;
import org.metric4j.model.OnnxEmbedder;
import org.metric4j.model.Preprocessing;
import org.metric4j.model.PreprocessedEmbedder;
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
 * or any other tool. {@code --backbone SPEC --weights FILE.pth} builds an InsightFace backbone and
 * loads PyTorch weights into it (strictly), then embeds {@code --images}, {@code --tensors} or a
 * {@code --dataset}.
 */
@Command(name = "embed", mixinStandardHelpOptions = true,
        description = "Export the embeddings of a dataset as .npy (float32 N x D) with labels (.npy) and names (.txt).")
final class EmbedCommand implements Callable<Integer> {

    @Spec CommandSpec spec;

    /** --model, --torchscript, --onnx, --backbone, --weights, --weights-key. */
    @picocli.CommandLine.Mixin ModelSource source;

    @Option(names = "--images", description = "With --torchscript, --onnx or --weights: an image folder (one sub-directory per "
            + "identity), decoded by Java ImageIO.")
    Path images;

    @Option(names = "--tensors", description = "With --torchscript, --onnx or --weights, instead of --images: a float32 .npy of "
            + "N x 3 x H x W (N x H x W x 3 with --nhwc) values already preprocessed; --mean and --std are not applied.")
    Path tensors;

    @Option(names = "--batch-size", defaultValue = "64",
            description = "With --images: images per forward pass (default: ${DEFAULT-VALUE}).")
    int batchSize;

    /** --size, --mean, --std, --bgr, --nhwc, --flip-sum, --center-crop (of --torchscript and --onnx). */
    @picocli.CommandLine.Mixin PreprocessingOptions preprocessing;

    @Option(names = "--dataset", description = "Dataset spec (default with --model: the one the model was trained on; "
            + "with --weights it names the dataset to embed).")
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

    /** The TorchScript, ONNX or PyTorch weights file with its preprocessing over --images or --tensors. */
    private int embedImported(Device device) throws Exception {
        if ((images == null) == (tensors == null)) {
            throw new ParameterException(spec.commandLine(), source.importedOption()
                    + " needs exactly one of --images DIR and --tensors FILE.npy" + (source.weights != null ? " (or a --dataset)" : "")
                    + ", got " + (images == null ? "neither" : "both"));
        }
        if (images != null && !Files.isDirectory(images)) {
            throw new ParameterException(spec.commandLine(), "--images " + images + ": expected an image folder");
        }
        if (batchSize < 1) {
            throw new ParameterException(spec.commandLine(), "--batch-size " + batchSize + ": expected an integer >= 1");
        }
        Path file = source.importedFile();
        if (!Files.isRegularFile(file)) {
            throw new ParameterException(spec.commandLine(), source.importedOption() + " " + file + ": no such file");
        }
        ChosenPreprocessing chosen = preprocessing.resolve(spec, source.basePreprocessing(), file);
        Preprocessing p = chosen.preprocessing();
        if (source.weights != null && (p.height() != 112 || p.width() != 112)) {
            throw new ParameterException(spec.commandLine(), "--size " + p.width() + "x" + p.height()
                    + ": --backbone " + source.backbone + " takes 112 x 112 inputs");
        }
        if (source.weights != null && p.layout() != Preprocessing.Layout.NCHW) {
            throw new ParameterException(spec.commandLine(), "--nhwc: --backbone " + source.backbone
                    + " takes N x 3 x 112 x 112 inputs (--no-nhwc)");
        }
        // --weights: every check (outputs, spec, file, keys) before the preprocessing line, so a refusal is one line
        Path[] files = source.weights != null ? outputs() : null;
        EmbeddingNetwork loaded = source.weights != null ? source.loadWeights(spec, device, 3, 112, 112) : null;
        spec.commandLine().getErr().println(chosen);
        spec.commandLine().getErr().flush();
        if (files == null) {
            files = outputs();
        }
        EmbeddingNetwork network = loaded != null ? loaded : source.imported(spec, device, p);
        try (PreprocessedEmbedder embedder = new PreprocessedEmbedder(network, p)) {
            EmbeddingSet set = images != null
                    ? embedder.embed(org.metric4j.data.ImageFolder.builder().setRoot(images)
                            .optSize(p.height(), p.width()).build(), batchSize)
                    : embedTensors(embedder, p);
            write(set, files);
            spec.commandLine().getOut().printf(Locale.ROOT, "wrote %d x %d embeddings of %s by %s%s to %s%n",
                    set.size(), set.dim(), images != null ? images : tensors, file,
                    p.flipSum() ? " (flip-sum)" : "", output);
        }
        spec.commandLine().getOut().flush();
        return 0;
    }

    private EmbeddingSet embedTensors(PreprocessedEmbedder embedder, Preprocessing p) throws java.io.IOException {
        NpyFormat.Array a;
        try (java.io.InputStream in = new java.io.BufferedInputStream(Files.newInputStream(tensors))) {
            a = NpyFormat.read(in, tensors.toString());
        }
        long[] s = a.shape();
        long[] want = p.shape(s.length > 0 ? (int) s[0] : 0).getShape();
        if (s.length != 4 || s[1] != want[1] || s[2] != want[2] || s[3] != want[3] || !a.descr().startsWith("<f")) {
            throw new ParameterException(spec.commandLine(), "--tensors " + tensors + ": expected float32 N x "
                    + want[1] + " x " + want[2] + " x " + want[3] + " (" + p.layout() + " of the preprocessing), got "
                    + a.descr() + " " + java.util.Arrays.toString(s));
        }
        int n = (int) s[0];
        double[] v = a.values();
        float[] x = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            x[i] = (float) v[i];
        }
        float[][] e = embedder.embedTensors(x, new Shape(s));
        int d = e.length == 0 ? 1 : e[0].length;
        double[] values = new double[n * d];
        String[] names = new String[n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                values[i * d + j] = e[i][j];
            }
            names[i] = tensors.getFileName() + "[" + i + "]";
        }
        return new EmbeddingSet(values, n, d, null, names);
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
        source.check(spec);
        Device device = deviceOption.resolve(spec);
        engine.sparkConf(spec.commandLine());
        if (!engine.local()) {
            if (source.model != null || source.weights != null || images == null || tensors != null) {
                throw new ParameterException(spec.commandLine(), "--engine " + engine.engine
                        + " embeds --images with a --torchscript or --onnx model, got "
                        + (source.model != null ? "--model" : source.weights != null ? "--weights"
                                : tensors != null ? "--tensors" : "no --images"));
            }
            Path file = source.torchscript != null ? source.torchscript : source.onnx;
            if (!Files.isRegularFile(file)) {
                throw new ParameterException(spec.commandLine(), (source.torchscript != null ? "--torchscript " : "--onnx ")
                        + file + ": no such file");
            }
            // decided once here, printed once, shipped to the executors as JSON
            ChosenPreprocessing chosen = preprocessing.resolve(spec, source.basePreprocessing(), file);
            spec.commandLine().getErr().println(chosen);
            spec.commandLine().getErr().flush();
            if (source.onnx != null) {
                try {
                    OnnxEmbedder.checkInput(source.onnx, chosen.preprocessing());
                } catch (IllegalArgumentException e) {
                    throw new ParameterException(spec.commandLine(), "--onnx " + e.getMessage());
                }
            }
            if (Files.exists(output)) {
                if (!force) {
                    throw new ParameterException(spec.commandLine(), "--output " + output
                            + " exists; give --force to overwrite it");
                }
                FileTrees.delete(output);
            }
            ImportedModel imported = ImportedModel.of(file, source.torchscript != null ? ImportedModel.Format.TORCHSCRIPT
                    : ImportedModel.Format.ONNX, chosen.preprocessing());
            DistributedEngine.find(engine.engine).embed(new EmbedJob(engine.master, imported, images, output,
                    engine.partitions, org.metric4j.engine.DeviceNames.of(device),
                    engine.sparkConf(spec.commandLine())), spec.commandLine().getOut());
            return 0;
        }
        if (!output.toString().endsWith(".npy")) {
            throw new ParameterException(spec.commandLine(), "--output must end with .npy, got " + output);
        }
        if (source.torchscript != null || source.onnx != null || (source.weights != null && (images != null || tensors != null))) {
            return embedImported(device);
        }
        if (source.weights != null) {
            return embedDataset(device, source.backbone, dataset, null);
        }
        ModelSource.Trained trained = source.trained(spec);
        return embedDataset(device, trained.backbone(), dataset != null ? dataset : trained.dataset(), trained.params());
    }

    /**
     * A split of a dataset embedded by the backbone, its parameters from a trained model's
     * backbone.params or, when {@code params} is null, from --weights.
     */
    private int embedDataset(Device device, String backboneSpec, String datasetSpec, Path params) throws Exception {
        if (datasetSpec == null) {
            throw new ParameterException(spec.commandLine(), "--weights " + source.weights
                    + " needs --images DIR, --tensors FILE.npy or --dataset SPEC to embed");
        }
        Path[] files = outputs();
        Datasets.TrainData data = Datasets.DATASETS.create(datasetSpec, seed.seed);
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
        if (params == null) {
            try (BlockEmbedder loaded = source.loadWeights(spec, device, images.channels(), images.height(), images.width())) {
                EmbeddingSet set = Embedder.embed(loaded.block(), images, 0, loaded.manager());
                write(set, files);
                out.printf(Locale.ROOT, "wrote %d x %d embeddings of %s (%s) by %s to %s, labels to %s, names to %s%n",
                        set.size(), set.dim(), data.name(), split, source.weights, files[0], files[1], files[2]);
            }
            out.flush();
            return 0;
        }
        try (BlockEmbedder loaded = ModelSource.loadTrained(new ModelSource.Trained(backboneSpec, datasetSpec, params),
                device, images.channels(), images.height(), images.width())) {
            EmbeddingSet set = Embedder.embed(loaded.block(), images, 0, loaded.manager());
            write(set, files);
            out.printf(Locale.ROOT, "wrote %d x %d embeddings of %s (%s) to %s, labels to %s, names to %s%n",
                    set.size(), set.dim(), data.name(), split, files[0], files[1], files[2]);
        }
        out.flush();
        return 0;
    }
}
