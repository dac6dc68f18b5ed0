package org.metric4j.cli;

import ai.djl.Device;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.metric4j.data.FashionMnist;
import org.metric4j.model.LeNetPlusPlus;
import org.metric4j.report.Comparison;
import org.metric4j.report.Finding;
import org.metric4j.schedule.PowerDecay;
import org.metric4j.train.Datasets;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code metric4j demo}: the main job, the story of the field on Fashion-MNIST (synthetic faces
 * when it is missing, saying so). LeNet++ with 3-D features (and 2-D with {@code --dims 2,3}) trains on classes 0-6 under
 * softmax, softmax + center loss, SphereFace, CosFace and ArcFace, one recipe for all (only the
 * loss differs); then it is judged as face recognition is: closed-set nearest-class-center
 * accuracy on held-out images of the 7 classes, the class angles of their features (intra-class
 * compactness, inter-class separation), and open-set verification on pairs of images of the
 * classes 7-9 that training never saw. The report opens with the findings the papers make,
 * checked on the numbers.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Compare softmax, center loss, SphereFace, CosFace and ArcFace on LeNet++ with 3-D "
                + "features: train on Fashion-MNIST classes 0-6, verify on the unseen classes 7-9 (synthetic faces "
                + "when Fashion-MNIST is missing), and write the report.")
final class DemoCommand implements Callable<Integer> {

    @Spec CommandSpec spec;

    @Option(names = "--output", defaultValue = "metric4j-out/demo", description = "Report directory (default: ${DEFAULT-VALUE}).")
    Path output;

    @Option(names = "--train-images", defaultValue = "" + TRAIN_IMAGES,
            description = "Training images per run, of the 42,000 of classes 0-6 (default: ${DEFAULT-VALUE}).")
    int trainImages;

    @Option(names = "--dims", split = ",", defaultValue = "3", paramLabel = "D",
            description = "Feature dimensions, one set of runs each: 3 (default), or 2,3 to add the 2-D runs.")
    List<Integer> dims;

    @Option(names = "--epochs", defaultValue = "" + EPOCHS, description = "Epochs per run (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--no-progress", description = "No progress bars.")
    boolean noProgress;

    /** --device. */
    @picocli.CommandLine.Mixin DeviceOption deviceOption;

    /** Training images per run. */
    static final int TRAIN_IMAGES = 4000;

    /** Epochs per run. */
    static final int EPOCHS = 24;

    /**
     * LeNet++'s first-stage channels: a quarter of the paper's 32 (8, 16, 32 channels), about
     * 6 times faster per image here, so that the budget buys 24 epochs instead of 6.
     */
    static final int WIDTH = 8;

    /** Batch size. */
    static final int BATCH = 32;

    /** The optimizer. */
    static final String OPTIMIZER = "adam";

    /** The learning-rate schedule, over {@link #EPOCHS} epochs. */
    static String learningRate(int epochs) {
        return "cosine:lr=0.003,epochs=" + epochs + ",min=0";
    }

    /** The backbone of the given feature dimension. */
    static String backbone(int dim) {
        return "lenetpp:dim=" + dim + ",bn=true,width=" + WIDTH;
    }

    /** The softmax run, the baseline of every finding. */
    static final String SOFTMAX = "softmax";

    /** The center-loss run. */
    static final String CENTER = "softmax+center:weight=0.01,alpha=0.5";

    /** The margin heads, with scales and margins for 2-D / 3-D features. */
    static final String[] MARGINS = {
        "sphereface:margin=4,anneal=true",
        "cosface:scale=10,margin=0.3",
        "arcface:scale=6,margin=0.3",
    };

    /** The runs' labels: the loss spec's name, the dimension. */
    static String label(String loss, int dim) {
        return loss.replace("+", " + ") + " (" + dim + "-D)";
    }

    @Override
    public Integer call() throws Exception {
        if (trainImages < 1) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "--train-images must be >= 1, got " + trainImages);
        }
        if (epochs < 1) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--epochs must be >= 1, got " + epochs);
        }
        if (dims.isEmpty() || dims.stream().anyMatch(d -> d != 2 && d != 3) || dims.stream().distinct().count() != dims.size()) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--dims must be 2 and/or 3, each once, got "
                    + dims);
        }
        Device device = deviceOption.resolve(spec);
        var out = spec.commandLine().getOut();
        boolean fashion = Files.isDirectory(Path.of(FashionMnist.SYSTEM_DIR))
                || Files.isDirectory(FashionMnist.DEFAULT_CACHE_DIR);
        String dataset;
        if (fashion) {
            dataset = "fashion-mnist:seen=7,limit=" + trainImages + ",eval-limit=2000,ncc-train=4000";
        } else {
            out.println("Fashion-MNIST not found (apt-get install dataset-fashion-mnist, or copy it to "
                    + FashionMnist.DEFAULT_CACHE_DIR + "): using synthetic faces instead.");
            dataset = "synthetic-faces:identities=10,images=" + Math.max(20, trainImages / 10)
                    + ",size=28,channels=1,eval-identities=10,eval-images=100";
        }
        List<String> losses = new ArrayList<>(List.of(SOFTMAX, CENTER));
        losses.addAll(List.of(MARGINS));
        List<Comparison.Entry> entries = new ArrayList<>();
        for (int dim : dims) {
            for (String loss : losses) {
                entries.add(new Comparison.Entry(label(loss, dim), backbone(dim), List.of(loss.split("\\+"))));
            }
        }
        List<Finding> findings = fashion && dims.contains(3) ? findings() : List.of();
        out.println("metric4j demo: " + entries.size() + " runs of LeNet++ on " + dataset + ", report in " + output);
        out.flush();
        String command = TypedCommand.of(spec);
        new Comparison(dataset, entries, new Comparison.Budget(epochs, BATCH, OPTIMIZER, learningRate(epochs),
                List.of(1L), null, device, epochs), command)
                .withFindings(findings).withRecipe(recipe(fashion))
                .run(output, out, !noProgress);
        return 0;
    }

    /**
     * The papers' story on 3-D features: each margin head is more discriminative than softmax
     * (a smaller ratio of intra-class to inter-class angle) and verifies unseen classes better;
     * center loss makes the classes more compact than softmax alone.
     */
    static List<Finding> findings() {
        String softmax = label(SOFTMAX, 3);
        List<Finding> f = new ArrayList<>();
        for (String m : MARGINS) {
            f.add(new Finding(label(m, 3), "angle_ratio", softmax));
            f.add(new Finding(label(m, 3), Datasets.OPEN_SET_PREFIX + "_tar_at_far_1e-2", softmax));
        }
        f.add(new Finding(label(CENTER, 3), "intra_angle_deg", softmax));
        return f;
    }

    /** LeNet++'s stage channels at a width, as "8, 16, 32". */
    private static String channels(int width) {
        return Arrays.stream(LeNetPlusPlus.stageChannels(width)).mapToObj(String::valueOf)
                .collect(Collectors.joining(", "));
    }

    private static String fmt(double v) {
        return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
    }

    private String recipe(boolean fashion) {
        return "Recipe, the same for every run (only the loss differs): " + (fashion
                ? "the first " + trainImages + " training images of Fashion-MNIST's classes 0-6 (T-shirt, trouser, "
                        + "pullover, dress, coat, sandal, shirt); closed-set metrics on 2,000 test images of those "
                        + "classes; open-set verification (openset_*) on 3,000 genuine and 10,000 impostor pairs of "
                        + "the 3,000 test images of the unseen classes 7-9 (sneaker, bag, ankle boot). "
                : "synthetic faces. ")
                + "LeNet++ with " + channels(WIDTH) + " channels (the paper's: " + channels(LeNetPlusPlus.DEFAULT_WIDTH)
                + ") and BatchNorm on the features, " + epochs + " epochs, batch " + BATCH + ", " + OPTIMIZER
                + " with " + learningRate(epochs) + ", seed 1. SphereFace (m = 4) anneals its lambda as "
                + "SphereFace's code does (lambda = max(" + fmt(PowerDecay.DEFAULT_LAMBDA_MIN) + ", "
                + fmt(PowerDecay.DEFAULT_BASE) + " (1 + " + fmt(PowerDecay.DEFAULT_GAMMA) + " t)^-"
                + fmt(PowerDecay.DEFAULT_POWER) + ") at step t); CosFace and ArcFace normalize "
                + "features and weights (" + MARGINS[1] + ", " + MARGINS[2] + ", ArcFace's margin in radians); "
                + "center loss weighs 0.01 with center update rate alpha 0.5.";
    }
}
