package org.metric4j.cli;

import ai.djl.Device;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import org.metric4j.report.Comparison;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code metric4j compare}: several losses on one dataset with one budget, one HTML report.
 * Each {@code --loss} is one run; {@code +} joins the components of a weighted sum
 * ({@code softmax+center:weight=0.01}).
 */
@Command(name = "compare", mixinStandardHelpOptions = true,
        description = "Train several losses on one dataset with one budget and write one comparison report.",
        footer = {"", "Example: compare --dataset fashion-mnist:limit=10000 --backbone lenetpp:dim=2 "
                + "--loss softmax --loss softmax+center:weight=0.01 --loss arcface:scale=10,margin=0.2 --output runs/cmp"})
final class CompareCommand implements Callable<Integer> {

    @Spec CommandSpec spec;

    @Option(names = "--dataset", defaultValue = "synthetic-faces:identities=50,images=10,size=56",
            description = "Dataset spec (default: ${DEFAULT-VALUE}).")
    String dataset;

    @Option(names = "--backbone", defaultValue = "lenetpp:dim=2", split = "\\|",
            description = "Backbone spec, or several separated by '|' (each loss runs on each) (default: ${DEFAULT-VALUE}).")
    List<String> backbones;

    @Option(names = "--loss", required = true, description = "A run's loss (repeat for several runs; '+' joins components).")
    List<String> losses;

    /** --optimizer, --lr, --epochs, --batch-size, --pk, --no-progress (compare's defaults). */
    @Mixin TrainingOptions training = TrainingOptions.forCompare();

    /** --seed. */
    @Mixin SeedOption seed;

    /** --device. */
    @Mixin DeviceOption deviceOption;

    @Option(names = "--config", paramLabel = "FILE", description = "A JSON run file holding these options "
            + "(keys without dashes, lists for repeated options); options after it override it. See experiments/.")
    Path config;

    @Option(names = "--output", required = true, description = "Report directory (report.html, figures/).")
    Path output;

    @Option(names = "--force", description = "Overwrite an existing --output directory.")
    boolean force;

    @Override
    public Integer call() throws Exception {
        Device device = deviceOption.resolve(spec);
        String optimizer = training.optimizer;
        String pk = training.pk;
        if (Files.exists(output) && !force) {
            throw new ParameterException(spec.commandLine(), "--output " + output + " exists; give --force to overwrite it");
        }
        try {
            org.metric4j.train.TrainConfig.OptimizerKind.parse(optimizer);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--" + e.getMessage());
        }
        List<Comparison.Entry> entries = new ArrayList<>();
        for (String b : backbones) {
            for (String l : losses) {
                List<String> parts = Arrays.stream(l.split("\\+")).map(String::trim).filter(t -> !t.isEmpty()).toList();
                String label = l + (backbones.size() > 1 ? " / " + b : "");
                entries.add(new Comparison.Entry(label, b, parts));
            }
        }
        int[] pkv = null;
        if (pk != null) {
            try {
                pkv = TrainCommand.parsePk(pk);
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), e.getMessage());
            }
        }
        String command = TypedCommand.of(spec);
        new Comparison(dataset, entries, new Comparison.Budget(training.epochs, training.batchSize, optimizer, training.lr,
                seed.seed, pkv, device), command)
                .run(output, spec.commandLine().getOut(), !training.noProgress);
        return 0;
    }
}
