package org.metric4j.cli;

import ai.djl.Device;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import org.metric4j.report.Comparison;
import org.metric4j.report.Finding;
import org.metric4j.train.EmbeddingTrainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code metric4j compare}: several losses on one dataset with one budget, one HTML report.
 * Each {@code --loss} is one configuration; {@code +} joins the components of a weighted sum
 * ({@code softmax+center:weight=0.01}). With {@code --seeds 1,2,3} each configuration runs once
 * per seed and the report shows mean +- standard deviation. Every run keeps its checkpoints under
 * {@code OUTPUT/runs/}; {@code --resume} continues an interrupted comparison (Ctrl-C writes a
 * checkpoint of the run in progress): finished runs are read back, the one in progress resumes.
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

    @Option(names = "--resume", description = "Continue the comparison in --output: skip the runs already finished, "
            + "resume the one in progress (same options required).")
    boolean resume;

    @Option(names = "--seeds", split = ",", paramLabel = "S", description = "Train every configuration once per seed "
            + "(e.g. 1,2,3); tables show mean +- std. Replaces --seed.")
    List<Long> seeds;

    @Option(names = "--finding", paramLabel = "TEXT", description = "An ordering to check, stated first in the report: "
            + "'RUN > BASELINE on METRIC', a run being its label or number (from 1); or 'FIRST-LAST > BASELINE on METRIC "
            + "chosen by VAL_METRIC' for the candidate best on a validation metric (repeat for several).")
    List<String> findings;

    @Option(names = "--head-lr-factor", defaultValue = "1", paramLabel = "F", description = "Heads' learning rate "
            + "(class weights, proxies, centers) over the backbone's, for every run (default: ${DEFAULT-VALUE}).")
    double headLrFactor;

    @Option(names = "--eval-every", defaultValue = "1", paramLabel = "N",
            description = "Evaluate every N epochs and after the last (default: ${DEFAULT-VALUE}).")
    int evalEvery;

    @Override
    public Integer call() throws Exception {
        Device device = deviceOption.resolve(spec);
        String optimizer = training.optimizer;
        String pk = training.pk;
        if (resume && force) {
            throw new ParameterException(spec.commandLine(), "--resume and --force exclude each other: --resume "
                    + "continues the runs in --output, --force deletes them");
        }
        if (resume && !Files.isRegularFile(output.resolve(Comparison.PLAN_FILE))) {
            throw new ParameterException(spec.commandLine(), "--resume: --output " + output + " holds no comparison ("
                    + Comparison.PLAN_FILE + " is missing); start one without --resume");
        }
        if (Files.exists(output) && !force && !resume) {
            throw new ParameterException(spec.commandLine(), "--output " + output
                    + " exists; give --resume to continue that comparison or --force to overwrite it");
        }
        if (evalEvery < 1) {
            throw new ParameterException(spec.commandLine(), "--eval-every must be >= 1, got " + evalEvery);
        }
        if (!(headLrFactor > 0) || Double.isInfinite(headLrFactor)) {
            throw new ParameterException(spec.commandLine(), "--head-lr-factor must be > 0 and finite, got "
                    + headLrFactor);
        }
        List<Long> runSeeds = seeds == null || seeds.isEmpty() ? List.of(seed.seed) : List.copyOf(seeds);
        if (seeds != null && spec.commandLine().getParseResult().hasMatchedOption("--seed")) {
            throw new ParameterException(spec.commandLine(), "--seed and --seeds exclude each other, got --seed "
                    + seed.seed + " and --seeds " + seeds);
        }
        if (new java.util.HashSet<>(runSeeds).size() != runSeeds.size()) {
            throw new ParameterException(spec.commandLine(), "--seeds must be distinct, got " + runSeeds);
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
        List<String> labels = entries.stream().map(Comparison.Entry::label).toList();
        List<Finding> expected = new ArrayList<>();
        for (String f : findings == null ? List.<String>of() : findings) {
            try {
                expected.add(Finding.parse(f, labels));
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), "--finding: " + e.getMessage());
            }
        }
        String command = TypedCommand.of(spec);
        Comparison comparison = new Comparison(dataset, entries, new Comparison.Budget(training.epochs,
                training.batchSize, optimizer, training.lr, runSeeds, pkv, device, evalEvery, headLrFactor), command)
                .withFindings(expected);
        String mismatch = resume ? comparison.resumeMismatch(output) : null;
        if (mismatch != null) {
            throw new ParameterException(spec.commandLine(), "--resume: " + mismatch);
        }
        try {
            comparison.run(output, spec.commandLine().getOut(), !training.noProgress, resume);
        } catch (EmbeddingTrainer.Stopped stopped) {
            spec.commandLine().getErr().println("metric4j compare: interrupted: " + stopped.getMessage());
            spec.commandLine().getErr().flush();
            return 130;
        }
        return 0;
    }
}
