package org.metric4j.cli;

import ai.djl.Device;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.metric4j.data.FashionMnist;
import org.metric4j.report.Comparison;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code metric4j demo}: the main job. On Fashion-MNIST when it is installed (otherwise the
 * synthetic faces, saying so), LeNet++ with 2-D and 3-D embeddings under softmax, softmax +
 * center loss, SphereFace, CosFace and ArcFace, then one comparison report with the feature
 * clouds on the plane and on the sphere. Sized to finish in about a quarter of an hour on two
 * CPU cores.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Compare softmax, center loss, SphereFace, CosFace and ArcFace on LeNet++ with 2-D and 3-D "
                + "features (Fashion-MNIST, or synthetic faces when it is missing) and write the report.")
final class DemoCommand implements Callable<Integer> {

    @Spec CommandSpec spec;

    @Option(names = "--output", defaultValue = "metric4j-out/demo", description = "Report directory (default: ${DEFAULT-VALUE}).")
    Path output;

    @Option(names = "--train-images", defaultValue = "8000",
            description = "Training images per run (default: ${DEFAULT-VALUE}; the full 60,000 take ~8x longer).")
    int trainImages;

    @Option(names = "--no-progress", description = "No progress bars.")
    boolean noProgress;

    /** --device. */
    @picocli.CommandLine.Mixin DeviceOption deviceOption;

    /** The runs: loss specs tuned for 2-D / 3-D features (small scales and margins, as in the papers' plots). */
    static final String[] LOSSES = {
        "softmax",
        "softmax+center:weight=0.01,alpha=0.5",
        "sphereface:margin=2",
        "cosface:scale=10,margin=0.1",
        "arcface:scale=10,margin=0.2",
    };

    @Override
    public Integer call() throws Exception {
        Device device = deviceOption.resolve(spec);
        var out = spec.commandLine().getOut();
        boolean fashion = Files.isDirectory(Path.of(FashionMnist.SYSTEM_DIR))
                || Files.isDirectory(FashionMnist.DEFAULT_CACHE_DIR);
        String dataset;
        if (fashion) {
            dataset = "fashion-mnist:limit=" + trainImages + ",eval-limit=2000,ncc-train=4000";
        } else {
            out.println("Fashion-MNIST not found (apt-get install dataset-fashion-mnist, or copy it to "
                    + FashionMnist.DEFAULT_CACHE_DIR + "): using synthetic faces instead.");
            dataset = "synthetic-faces:identities=10,images=" + Math.max(20, trainImages / 10)
                    + ",size=28,channels=1,eval-identities=10,eval-images=100";
        }
        List<Comparison.Entry> entries = new ArrayList<>();
        for (int dim : new int[] {2, 3}) {
            for (String loss : LOSSES) {
                entries.add(new Comparison.Entry(loss.replace("+", " + ") + " (" + dim + "-D)", "lenetpp:dim=" + dim,
                        List.of(loss.split("\\+"))));
            }
        }
        out.println("metric4j demo: " + entries.size() + " runs of LeNet++ on " + dataset + ", report in " + output);
        out.flush();
        String command = TypedCommand.of(spec);
        new Comparison(dataset, entries, new Comparison.Budget(1, 128, "adam", "constant:lr=0.003", 1, null, device), command)
                .run(output, out, !noProgress);
        return 0;
    }
}
