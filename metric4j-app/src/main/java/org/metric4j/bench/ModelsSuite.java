package org.metric4j.bench;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.SequentialBlock;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.Trainer;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import org.metric4j.engine.BenchConfig;
import org.metric4j.head.CosineClassifier;
import org.metric4j.loss.ArcFaceLoss;
import org.metric4j.model.BackboneSpec;
import org.metric4j.model.OnnxEmbedder;
import org.metric4j.model.Preprocessing;
import org.metric4j.model.TorchBackbone;
import org.metric4j.model.TorchScriptEmbedder;
import org.metric4j.model.torch.StateDictLoader;
import org.metric4j.model.torch.StateDictReader;

/**
 * The models suite: float32 forward throughput (images per second) of InsightFace's backbones at
 * batch 32, 112 x 112, random normal inputs, eval mode.
 *
 * <ul>
 *   <li>{@code mbf_block_b32}: the MobileFaceNet fixture ({@code mbf.pth}) as a metric4j Block,
 *       with {@code block_over_torchscript} (its median over the TorchScript line's);
 *   <li>{@code mbf_torchscript_b32}: the same weights traced ({@code mbf_traced.pt}) through DJL's
 *       PyTorch engine; printed first, so that the Block's line can carry the ratio;
 *   <li>{@code mbf_onnx_b32}: the same weights in ONNX ({@code mbf.onnx}) through ONNX Runtime;
 *   <li>{@code iresnet50_block_b32}: iresnet50 as a Block (InsightFace's initialization);
 *   <li>{@code iresnet50_arcface_train_b32_c1k}: one training step (forward, backward, SGD
 *       update) of iresnet50 and an ArcFace head of 1,000 classes ({@link CosineClassifier},
 *       {@link ArcFaceLoss}), with the peak RSS.
 * </ul>
 * The fixture files are read from {@code --fixtures DIR}, by default the repository's {@value
 * #REPO_FIXTURES} when it exists.
 */
final class ModelsSuite {

    /** The fixture folder in a checkout of the repository, relative to its root. */
    static final String REPO_FIXTURES = "metric4j-app/src/test/resources/insightface/backbones";
    /** The learning rate of the training step. */
    static final float LEARNING_RATE = 0.01f;

    /**
     * The sizes of the suite; case names follow them.
     *
     * @param batch images per batch
     * @param iresnet the iResNet spec of the iresnet50 cases
     * @param iresnetName its name in the case names
     * @param classes the classes of the ArcFace head
     */
    record Sizes(int batch, String iresnet, String iresnetName, int classes) {
        /** Batch 32, iresnet50, 1,000 classes. */
        static final Sizes FULL = new Sizes(32, "iresnet:depth=50", "iresnet50", 1000);
    }

    private final BenchConfig config;
    private final Sizes sizes;
    private final Gson gson = new GsonBuilder().disableHtmlEscaping().create();

    ModelsSuite(BenchConfig config) {
        this(config, Sizes.FULL);
    }

    /** A suite of other sizes (tests run it tiny). */
    ModelsSuite(BenchConfig config, Sizes sizes) {
        this.config = config;
        this.sizes = sizes;
    }

    /**
     * The fixture folder: the configured one, else {@value #REPO_FIXTURES} under the working
     * directory or above the application's jar.
     *
     * @throws IllegalArgumentException in one line when there is none or it lacks a file
     */
    static Path fixtures(Path configured) {
        Path dir = configured;
        if (dir == null) {
            for (Path root : candidateRoots()) {
                Path p = root.resolve(REPO_FIXTURES);
                if (Files.isDirectory(p)) {
                    dir = p;
                    break;
                }
            }
        }
        if (dir == null) {
            throw new IllegalArgumentException("the models suite needs the InsightFace backbone fixtures"
                    + " (mbf.pth, mbf_traced.pt, mbf.onnx): pass --fixtures DIR (in a checkout: " + REPO_FIXTURES + ")");
        }
        for (String f : List.of("mbf.pth", "mbf_traced.pt", "mbf.onnx")) {
            if (!Files.isRegularFile(dir.resolve(f))) {
                throw new IllegalArgumentException("--fixtures " + dir + " has no " + f
                        + "; expected the folder of the InsightFace backbone fixtures (" + REPO_FIXTURES + ")");
            }
        }
        return dir;
    }

    private static List<Path> candidateRoots() {
        List<Path> roots = new java.util.ArrayList<>();
        roots.add(Path.of("").toAbsolutePath());
        try {
            Path code = Path.of(ModelsSuite.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            // metric4j-app/target/metric4j-app.jar or metric4j-app/target/classes
            for (Path p = code.getParent(); p != null; p = p.getParent()) {
                roots.add(p);
            }
        } catch (Exception e) {
            // no code source: the working directory only
        }
        return roots;
    }

    void run(Consumer<String> out) {
        String mbf = "mbf";
        boolean anyMbf = config.selects(name(mbf, "torchscript")) || config.selects(name(mbf, "block"))
                || config.selects(name(mbf, "onnx"));
        Path dir = anyMbf ? fixtures(config.fixtures()) : null;
        Shape shape = new Shape(sizes.batch(), 3, 112, 112);
        float[] input = randomInput(shape);
        Double torchScriptMs = null;
        if (config.selects(name(mbf, "torchscript"))) {
            try (TorchScriptEmbedder ts = TorchScriptEmbedder.load(dir.resolve("mbf_traced.pt"), 112, 112,
                    config.device())) {
                Map<String, Object> json = CaseTimer.time(name(mbf, "torchscript"), config,
                        () -> ts.forward(input, shape), extra("mbf_traced.pt", "TorchScript (DJL PyTorch engine)"));
                torchScriptMs = images(json);
                out.accept(gson.toJson(json));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        if (config.selects(name(mbf, "block"))) {
            Map<String, Object> json = blockCase(name(mbf, "block"), BackboneSpec.mobileFaceNet(), dir.resolve("mbf.pth"),
                    input, shape);
            if (torchScriptMs != null) {
                json.put("block_over_torchscript", CaseTimer.round((Double) json.get("ms_median") / torchScriptMs));
            }
            out.accept(gson.toJson(json));
        }
        if (config.selects(name(mbf, "onnx"))) {
            try (OnnxEmbedder onnx = OnnxEmbedder.load(dir.resolve("mbf.onnx"), Preprocessing.INSIGHTFACE,
                    ai.djl.Device.cpu(), config.threads())) {
                Map<String, Object> json = CaseTimer.time(name(mbf, "onnx"), config,
                        () -> onnx.forward(input, shape), extra("mbf.onnx", "ONNX Runtime"));
                images(json);
                out.accept(gson.toJson(json));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        if (config.selects(name(sizes.iresnetName(), "block"))) {
            Map<String, Object> json = blockCase(name(sizes.iresnetName(), "block"), BackboneSpec.parse(sizes.iresnet()),
                    null, input, shape);
            out.accept(gson.toJson(json));
        }
        trainCase(shape, out);
    }

    /** Forward of a Block in eval mode, with a weights file or InsightFace's initialization. */
    private Map<String, Object> blockCase(String name, BackboneSpec spec, Path weights, float[] input, Shape shape) {
        try (NDManager manager = NDManager.newBaseManager(config.device())) {
            TorchBackbone block = spec.build();
            Engine.getInstance().setRandomSeed((int) config.seed());
            block.initialize(manager, DataType.FLOAT32, shape);
            if (weights != null) {
                StateDictLoader.load(StateDictReader.create().read(weights), block);
            }
            NDArray x = manager.create(input, shape);
            ParameterStore ps = new ParameterStore(manager, false);
            Runnable forward = () -> {
                try (NDScope scope = new NDScope()) {
                    block.forward(ps, new NDList(x), false).head().toFloatArray();
                }
            };
            Map<String, Object> json = CaseTimer.time(name, config, forward,
                    extra(weights == null ? "initialized" : weights.getFileName().toString(), block.toString()));
            images(json);
            return json;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One SGD step of the iResNet with an ArcFace head, through a DJL Trainer. */
    private void trainCase(Shape shape, Consumer<String> out) {
        String name = sizes.iresnetName() + "_arcface_train_b" + sizes.batch() + "_c" + HeadsSuite.count(sizes.classes());
        if (!config.selects(name)) {
            return;
        }
        TorchBackbone backbone = BackboneSpec.parse(sizes.iresnet()).build();
        CosineClassifier head = CosineClassifier.builder().setNumClasses(sizes.classes()).build();
        ArcFaceLoss loss = ArcFaceLoss.builder().build();
        try (Model model = Model.newInstance("models-suite", config.device())) {
            model.setBlock(new SequentialBlock().add(backbone).add(head));
            DefaultTrainingConfig tc = new DefaultTrainingConfig(loss)
                    .optOptimizer(Optimizer.sgd().setLearningRateTracker(Tracker.fixed(LEARNING_RATE)).build())
                    .optDevices(new ai.djl.Device[] {config.device()});
            try (Trainer trainer = model.newTrainer(tc)) {
                Engine.getInstance().setRandomSeed((int) config.seed());
                trainer.initialize(shape);
                NDManager manager = trainer.getManager();
                NDArray x = manager.create(randomInput(shape), shape);
                NDArray labels = manager.create(HeadsSuite.randomLabels(new Random(config.seed()), sizes.batch(),
                        sizes.classes()));
                float[] loss01 = {Float.NaN, Float.NaN}; // first and last step's loss
                Runnable step = () -> {
                    try (NDScope scope = new NDScope()) {
                        try (GradientCollector gc = trainer.newGradientCollector()) {
                            NDList scores = trainer.forward(new NDList(x));
                            NDArray l = trainer.getLoss().evaluate(new NDList(labels), scores);
                            gc.backward(l);
                            loss01[1] = l.getFloat();
                            if (Float.isNaN(loss01[0])) {
                                loss01[0] = loss01[1];
                            }
                        }
                        trainer.step();
                    }
                };
                Map<String, Object> extra = extra("initialized", backbone + " + " + head + " + " + loss);
                extra.put("classes", sizes.classes());
                extra.put("optimizer", "sgd lr=" + LEARNING_RATE);
                Map<String, Object> json = CaseTimer.time(name, config, step, extra);
                images(json);
                json.put("first_loss", (double) loss01[0]);
                json.put("last_loss", (double) loss01[1]);
                out.accept(gson.toJson(json));
            }
        }
    }

    /** Adds images_per_second and returns the median ms. */
    private double images(Map<String, Object> json) {
        double ms = (Double) json.get("ms_median");
        json.put("images_per_second", CaseTimer.round(sizes.batch() / (ms / 1000)));
        return ms;
    }

    private Map<String, Object> extra(String weights, String model) {
        Map<String, Object> extra = new LinkedHashMap<>();
        extra.put("batch", sizes.batch());
        extra.put("input", "3x112x112");
        extra.put("dtype", "float32");
        extra.put("weights", weights);
        extra.put("model", model);
        return extra;
    }

    private float[] randomInput(Shape shape) {
        Random rnd = new Random(config.seed());
        float[] v = new float[(int) shape.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) rnd.nextGaussian();
        }
        return v;
    }

    private String name(String model, String runtime) {
        return model + "_" + runtime + "_b" + sizes.batch();
    }
}
