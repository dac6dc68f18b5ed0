package org.metric4j.cli;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Block;
import com.google.gson.GsonBuilder;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.metric4j.eval.EmbeddingSet;
import org.metric4j.io.EmbeddingFiles;
import org.metric4j.io.FileTrees;
import org.metric4j.sampler.PxKSampler;
import org.metric4j.sampler.ShuffleSampler;
import org.metric4j.schedule.Schedule;
import org.metric4j.schedule.TrainingClock;
import org.metric4j.train.BatchPlan;
import org.metric4j.train.Checkpoint;
import org.metric4j.train.Components;
import org.metric4j.train.Datasets;
import org.metric4j.train.Embedder;
import org.metric4j.train.EmbeddingTrainer;
import org.metric4j.train.EpochRecord;
import org.metric4j.train.LossComponent;
import org.metric4j.train.Spec;
import org.metric4j.train.TrainConfig;
import org.metric4j.train.TrainResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * {@code metric4j train}: trains a backbone with one or more losses on a dataset, every
 * component chosen by name ({@code name:key=value,...}). Writes checkpoints every epoch (an
 * interrupted run resumes with {@code --resume}), {@code metrics.csv}, the final backbone and the
 * held-out embeddings as .npy for {@code evaluate}. Ctrl-C writes a checkpoint of the steps done
 * so far before exiting (status 130); {@code --resume} continues from it. {@code --init FILE.pth}
 * starts an InsightFace backbone from PyTorch weights (fine-tuning; the heads start new); a resumed
 * run continues from its checkpoint instead.
 */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Train an embedding model: dataset, backbone, losses (weighted), optimizer, schedule.",
        footer = {"", "Components: '--list' prints every dataset, backbone, loss, miner and schedule with its parameters.",
            "Run file: train --config experiments/run.json --output runs/x (see experiments/).",
            "Example: train --dataset fashion-mnist --backbone lenetpp:dim=64 --loss arcface:scale=30,margin=0.3 "
                    + "--optimizer adam --lr constant:lr=0.002 --epochs 1 --output runs/arcface"})
final class TrainCommand implements Callable<Integer> {

    @picocli.CommandLine.Spec CommandSpec spec;

    @Option(names = "--dataset", defaultValue = "synthetic-faces:size=112",
            description = "Dataset spec (default: ${DEFAULT-VALUE}).")
    String dataset;

    @Option(names = "--backbone", defaultValue = "faceresnet:dim=512", description = "Backbone spec (default: ${DEFAULT-VALUE}).")
    String backbone;

    @Option(names = "--init", paramLabel = "FILE.pth", description = "Start the backbone from a PyTorch state dict "
            + "(e.g. InsightFace's backbone.pth), loaded strictly; the heads start new. For "
            + "iresnet, mobilefacenet and mobilefacenet-large.")
    Path init;

    /** --weights-key (of --init). */
    @Mixin PyTorchWeights pytorch;

    @Option(names = "--loss", description = "Loss spec, repeatable for a weighted sum (weight=...). Default: arcface.")
    List<String> losses = new ArrayList<>();

    @Option(names = "--momentum", defaultValue = "0.9", description = "SGD momentum (default: ${DEFAULT-VALUE}).")
    double momentum;

    @Option(names = "--weight-decay", defaultValue = "5e-4", description = "L2 weight decay (default: ${DEFAULT-VALUE}).")
    double weightDecay;

    @Option(names = "--weight-decay-all", description = "Weight decay on every parameter (biases, BatchNorm,"
            + " PReLU too), as arcface_torch's torch.optim.SGD; default: weights only.")
    boolean weightDecayAll;

    @Option(names = "--clip-grad-norm", defaultValue = "0", description = "Clip the backbone's gradients to this"
            + " global L2 norm before each optimizer step (arcface_torch: 5); 0: none (default: ${DEFAULT-VALUE}).")
    double clipGradNorm;

    @Option(names = "--grad-accumulation", defaultValue = "1", paramLabel = "K", description = "Sum the gradients"
            + " of K batches (the loss not divided) per optimizer step, as arcface_torch's gradient_acc; the"
            + " schedule still advances per batch (default: ${DEFAULT-VALUE}).")
    int gradAccumulation;

    @Option(names = "--flip", description = "Flip training images horizontally with probability 0.5 (seeded by"
            + " seed, epoch and step).")
    boolean flip;

    @Option(names = "--head-lr-factor", defaultValue = "1", description = "Heads' learning rate / backbone's (default: ${DEFAULT-VALUE}).")
    double headLrFactor;

    @Option(names = "--val", paramLabel = "FILE.bin", description = "An InsightFace verification set (lfw.bin, "
            + "cfp_fp.bin, agedb_30.bin; repeatable) evaluated with each evaluation as arcface_torch's "
            + "CallBackVerification does (flip-sum, 10 folds): <set>_accuracy, _accuracy_std, _xnorm, _val_at_far_1e-3 "
            + "in metrics.csv; OUTPUT/best keeps the model of the highest accuracy on the first set. Needs 3 x 112 x 112 "
            + "training images.")
    List<Path> val = new ArrayList<>();

    @Option(names = "--sample-rate", defaultValue = "1", description = "PartialFC: the fraction of the classes "
            + "scored per step by arcface, cosface and combined (arcface_torch's PartialFC v2: the class weights are "
            + "one parameter under the run's optimizer, each step's sample drawn from the seed and the step); "
            + "1 scores every class (default: ${DEFAULT-VALUE}).")
    double sampleRate;

    /** --optimizer, --lr, --epochs, --batch-size, --pk, --no-progress (train's defaults). */
    @Mixin TrainingOptions training = TrainingOptions.forTrain();

    /** --seed. */
    @Mixin SeedOption seedOption;

    /** --device. */
    @Mixin DeviceOption deviceOption;

    @Option(names = "--output", description = "Output directory (checkpoints, metrics.csv, model, embeddings).")
    Path output;

    @Option(names = "--resume", description = "Continue the run in --output from its last checkpoint.")
    boolean resume;

    @Option(names = "--force", description = "Overwrite an existing --output directory.")
    boolean force;

    @Option(names = "--allow-changed-options", description = "With --resume: continue even when options that change "
            + "the result differ from those the checkpoint recorded (the differences are written to run.json).")
    boolean allowChangedOptions;

    @Option(names = "--list", description = "List every component with its parameters and exit.")
    boolean list;

    @Option(names = "--config", paramLabel = "FILE", description = "A JSON run file holding these options "
            + "(keys without dashes, lists for repeated options); options after it override it.")
    Path config;

    /** Options that steer only this invocation: not recorded. */
    private static final Set<String> NOT_RECORDED = Set.of("help", "version", "verbose", "config", "list",
            "allow-changed-options");

    /**
     * Recorded options that do not change what the run computes, so {@code --resume} does not
     * compare them: where it writes, whether it draws a progress bar, the device (a different
     * device changes only rounding), and {@code --epochs} (a larger value extends the run).
     */
    static final Set<String> NOT_COMPARED = Set.of("epochs", "output", "resume", "force", "no-progress", "device");

    /** The prefix of an option's key in the recorded configuration (checkpoints). */
    static final String OPTION = "option.";

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (list) {
            printList(out);
            return 0;
        }
        Device device = deviceOption.resolve(spec);
        long seed = seedOption.seed;
        int epochs = training.epochs;
        String pk = training.pk;
        String optimizer = training.optimizer;
        if (epochs < 1) {
            throw new ParameterException(spec.commandLine(), "--epochs must be >= 1, got " + epochs);
        }
        // an existing --output is deleted (--force) only once every option has been checked
        boolean overwrite = output != null && Files.exists(output) && !resume;
        if (overwrite && !force) {
            throw new ParameterException(spec.commandLine(), "--output " + output
                    + " exists: give --resume to continue that run or --force to overwrite it");
        }
        org.metric4j.model.torch.StateDict initWeights = init == null ? null : pytorch.read(spec, "--init", init);
        if (losses.isEmpty()) {
            losses.add("arcface");
        }
        Checkpoint.State resumed = null;
        Path resumedFrom = null;
        if (resume && output != null && Files.isDirectory(output)) {
            resumedFrom = Checkpoint.latest(output);
            resumed = resumedFrom == null ? null : Checkpoint.readState(resumedFrom);
        }
        if (resumed != null) {
            int required = resumed.epoch() + 1 + (resumed.partial() == null ? 0 : 1);
            if (epochs < required) {
                throw new ParameterException(spec.commandLine(), "--epochs " + epochs + " is less than the " + required
                        + " epochs the run in " + output + " has begun (checkpoint " + resumedFrom.getFileName()
                        + "); a resumed run can only be extended: give --epochs >= " + required);
            }
        }
        // each component from its Spec, which then knows the defaults it read (recorded below)
        Spec dataSpec = Spec.parse(dataset);
        Datasets.TrainData data = Datasets.DATASETS.create(dataSpec, seed);
        TrainingClock clock = new TrainingClock();
        List<org.metric4j.train.EpochEvaluator> evaluators = new ArrayList<>(data.evaluators());
        String bestMetric = null;
        if (!val.isEmpty()) {
            org.metric4j.dataset.LabeledImages t = data.train();
            if (t.channels() != 3 || t.height() != 112 || t.width() != 112) {
                throw new ParameterException(spec.commandLine(), "--val needs 3 x 112 x 112 training images (the .bin"
                        + " sets are 112 x 112 RGB faces); --dataset " + dataset + " gives " + t.channels() + " x "
                        + t.height() + " x " + t.width());
            }
            List<org.metric4j.data.VerificationBin> sets = new ArrayList<>();
            for (Path f : val) {
                try {
                    sets.add(org.metric4j.data.VerificationBin.read(f));
                } catch (java.io.IOException | IllegalArgumentException e) {
                    throw new ParameterException(spec.commandLine(), "--val " + f + ": " + e.getMessage());
                }
            }
            evaluators.add(new org.metric4j.train.BinVerificationEvaluator(sets));
            bestMetric = sets.get(0).name() + "_accuracy";
        }
        if (!(sampleRate > 0 && sampleRate <= 1)) {
            throw new ParameterException(spec.commandLine(), "--sample-rate must be in (0, 1], got " + sampleRate);
        }
        Components.Context ctx = new Components.Context(data.train().numClasses(), clock, sampleRate, seed);
        List<LossComponent> parts = new ArrayList<>();
        List<Spec> lossSpecs = new ArrayList<>();
        for (String l : losses) {
            Spec ls = Spec.parse(l);
            lossSpecs.add(ls);
            parts.add(Components.LOSSES.create(ls, ctx));
        }
        boolean pairLoss = parts.stream().anyMatch(p -> p.kind() == LossComponent.Kind.METRIC);
        BatchPlan plan;
        Object sampler;
        String resolvedPk;
        if (pk != null || pairLoss) {
            resolvedPk = pk == null ? "32x4" : pk;
            int[] pkv = parsePk(resolvedPk);
            PxKSampler s = PxKSampler.builder().setLabels(data.train()).optP(pkv[0]).optK(pkv[1]).optSeed(seed).build();
            plan = s::epochBatches;
            sampler = s;
        } else {
            resolvedPk = "none";
            ShuffleSampler s = ShuffleSampler.builder().setSize(data.train()).optBatchSize(training.batchSize).optSeed(seed).build();
            plan = s::epochBatches;
            sampler = s;
        }
        Spec backboneSpec = Spec.parse(backbone);
        Block net = Components.BACKBONES.create(backboneSpec, null);
        org.metric4j.model.torch.TorchStateful initInto = init == null ? null
                : PyTorchWeights.stateful(spec, "--init", backbone, net);
        Spec lrSpec = Spec.parse(training.lr);
        Function<Integer, Schedule> lrSchedule = Components.LEARNING_RATES.create(lrSpec, null);
        lrSchedule.apply(plan.batches(0).length); // reads the spec's defaults
        Map<String, Object> options = resolvedOptions(resolvedPk);
        options.put("dataset", dataSpec.resolved());
        options.put("backbone", backboneSpec.resolved());
        options.put("loss", lossSpecs.stream().map(Spec::resolved).toList());
        options.put("lr", lrSpec.resolved());
        List<String[]> changed = resumed == null ? List.of() : changedOptions(options, resumed.config());
        if (!changed.isEmpty() && !allowChangedOptions) {
            throw new ParameterException(spec.commandLine(), "--resume: options differ from those recorded in "
                    + resumedFrom + ": " + describe(changed) + "; give the recorded values, or add"
                    + " --allow-changed-options to continue with the new ones (recorded in run.json)");
        }
        TrainConfig.OptimizerKind kind;
        try {
            kind = TrainConfig.OptimizerKind.parse(optimizer);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--" + e.getMessage());
        }
        if (gradAccumulation < 1) {
            throw new ParameterException(spec.commandLine(), "--grad-accumulation must be >= 1 batches, got "
                    + gradAccumulation);
        }
        if (!(clipGradNorm >= 0) || Double.isInfinite(clipGradNorm)) {
            throw new ParameterException(spec.commandLine(), "--clip-grad-norm must be a finite norm >= 0 (0: none),"
                    + " got " + clipGradNorm);
        }
        TrainConfig.Builder builder = TrainConfig.builder().optEpochs(epochs).optSeed(seed)
                .optOptimizer(kind, kind == TrainConfig.OptimizerKind.SGD ? momentum : 0)
                .optLearningRate(lrSchedule)
                .optWeightDecay(weightDecay).optWeightDecayAll(weightDecayAll).optClipGradNorm(clipGradNorm)
                .optGradientAccumulation(gradAccumulation).optFlip(flip).optHeadLearningRateFactor(headLrFactor)
                .optOutputDir(output).optProgressBar(!training.noProgress).optDevice(device);
        if (bestMetric != null) {
            builder.optBest(bestMetric, dir -> writeModelInfo(dir, data));
        }
        options.forEach((k, v) -> builder.describe(OPTION + k, String.valueOf(v)));
        builder.describe("component.dataset", data.name()).describe("component.sampler", sampler.toString());
        Map<String, String> versions = BuildInfo.versions();
        versions.forEach((k, v) -> builder.describe("version." + k, v));
        java.util.Optional<String> commit = BuildInfo.gitCommit();
        commit.ifPresent(c -> builder.describe("version.git", c));
        String earlier = resumed == null ? null : resumed.config().get(CHANGED);
        String now = changed.isEmpty() ? null : "at " + resumedFrom.getFileName() + ": " + describe(changed);
        if (earlier != null || now != null) { // carried forward, so the last checkpoint holds every override
            builder.describe(CHANGED, earlier == null ? now : now == null ? earlier : earlier + " | " + now);
        }
        TrainConfig config = builder.build();
        Resume resumeInfo = new Resume(resumedFrom, changed, earlier);
        out.printf(Locale.ROOT, "training on %s: %s, %s%n", data.name(), backbone, String.join(" + ", losses));
        out.flush();
        TrainResult result;
        try (EmbeddingTrainer trainer = new EmbeddingTrainer(config, net,
                parts, data.train(), plan, evaluators, clock)) {
            if (initWeights != null && resumed == null) { // a resumed run continues from its checkpoint
                PyTorchWeights.load(spec, "--init", init, initWeights, initInto);
            }
            if (overwrite) {
                FileTrees.delete(output);
            }
            // Ctrl-C (SIGINT/SIGTERM): the hook asks the trainer to stop at its next step and waits
            // while it writes a mid-epoch checkpoint, so that --resume continues from there
            CountDownLatch finished = new CountDownLatch(1);
            Thread hook = new Thread(() -> {
                trainer.requestStop();
                try {
                    finished.await(120, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "metric4j-stop");
            java.lang.Runtime.getRuntime().addShutdownHook(hook);
            try {
                result = trainer.fit();
            } catch (EmbeddingTrainer.Stopped stopped) {
                PrintWriter err = spec.commandLine().getErr();
                err.println("metric4j train: interrupted: " + stopped.getMessage());
                err.flush();
                return 130;
            } finally {
                finished.countDown();
                try {
                    java.lang.Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException shuttingDown) {
                    // the JVM is exiting: the hook is running and returns now
                }
            }
            if (output != null) {
                writeOutputs(trainer, data, result, options, versions, commit, resumeInfo);
            }
        }
        for (EpochRecord h : result.history()) {
            out.println(format(h.toMap()));
        }
        out.flush();
        return 0;
    }

    /** The key of the recorded option changes that {@code --allow-changed-options} let through. */
    static final String CHANGED = "resume.changed-options";

    /** What a resume found: the checkpoint, the options changed now, and those changed before. */
    private record Resume(Path checkpoint, List<String[]> changed, String earlier) {}

    /**
     * Every recorded option of this command with its value after defaults (keys are the long
     * names without dashes, as in a run file): the losses after the default {@code arcface}, the
     * P x K actually used ({@code none} for plain shuffling); the caller replaces each component
     * spec by its {@link Spec#resolved() resolved} form (every parameter with its default).
     */
    private Map<String, Object> resolvedOptions(String resolvedPk) {
        Map<String, Object> options = new LinkedHashMap<>();
        for (OptionSpec o : spec.options()) {
            String name = o.longestName();
            if (!name.startsWith("--") || NOT_RECORDED.contains(name.substring(2))) {
                continue;
            }
            Object v = o.getValue();
            options.put(name.substring(2), v instanceof Path p ? p.toString()
                    : v instanceof List<?> l ? l.stream().map(e -> e instanceof Path q ? q.toString() : e).toList() : v);
        }
        options.put("loss", List.copyOf(losses));
        options.put("pk", resolvedPk);
        return options;
    }

    /**
     * The compared options whose value differs from the checkpoint's: {name, recorded, now}. Not
     * compared: {@link #NOT_COMPARED}, {@code --momentum} when both runs use Adam, and {@code
     * --batch-size} when both sample P x K (neither reads it).
     */
    private List<String[]> changedOptions(Map<String, Object> options, Map<String, String> recorded) {
        List<String[]> changed = new ArrayList<>();
        boolean any = recorded != null && recorded.keySet().stream().anyMatch(k -> k.startsWith(OPTION));
        if (!any) {
            PrintWriter err = spec.commandLine().getErr();
            err.println("metric4j train: warning: the checkpoint records no options (written by an older"
                    + " metric4j): the options of this resume cannot be compared with the run's");
            err.flush();
            return changed;
        }
        Set<String> unused = new java.util.HashSet<>(); // options the run does not read, then and now
        if (String.valueOf(options.get("optimizer")).toLowerCase(Locale.ROOT).startsWith("adam")
                && String.valueOf(recorded.get(OPTION + "optimizer")).toLowerCase(Locale.ROOT).startsWith("adam")) {
            unused.add("momentum");
        }
        if (!"none".equals(options.get("pk")) && !"none".equals(recorded.get(OPTION + "pk"))) {
            unused.add("batch-size");
        }
        options.forEach((k, v) -> {
            String old = recorded.get(OPTION + k);
            String value = String.valueOf(v);
            if (!NOT_COMPARED.contains(k) && !unused.contains(k) && old != null && !old.equals(value)) {
                changed.add(new String[] {"--" + k, old, value});
            }
        });
        return changed;
    }

    private static String describe(List<String[]> changed) {
        List<String> parts = new ArrayList<>();
        for (String[] c : changed) {
            parts.add(c[0] + " was " + c[1] + ", now " + c[2]);
        }
        return String.join("; ", parts);
    }

    /** {@code backbone.json} of a model directory: what {@code embed --model} rebuilds the network from. */
    private void writeModelInfo(Path model, Datasets.TrainData data) {
        Map<String, Object> modelInfo = new LinkedHashMap<>();
        modelInfo.put("backbone", backbone);
        modelInfo.put("input", new int[] {data.train().channels(), data.train().height(), data.train().width()});
        modelInfo.put("dataset", dataset);
        try {
            Files.writeString(model.resolve("backbone.json"), new GsonBuilder().setPrettyPrinting().create().toJson(modelInfo));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("could not write " + model.resolve("backbone.json"), e);
        }
    }

    private void writeOutputs(EmbeddingTrainer trainer, Datasets.TrainData data, TrainResult result,
            Map<String, Object> options, Map<String, String> versions, java.util.Optional<String> commit,
            Resume resumeInfo) throws Exception {
        Path model = output.resolve("model");
        Files.createDirectories(model);
        org.metric4j.train.Checkpoint.writeParams(model.resolve("backbone.params"), trainer.backbone());
        writeModelInfo(model, data);
        EmbeddingSet held = Embedder.embed(trainer.backbone(), data.heldOut(), 0, trainer.manager());
        EmbeddingFiles.writeNpy(held, output.resolve("embeddings.npy"), output.resolve("labels.npy"), DataType.FLOAT32);
        Files.write(output.resolve("names.txt"), List.of(held.names()), StandardCharsets.UTF_8);
        Map<String, Object> run = new LinkedHashMap<>();
        run.put("command", TypedCommand.of(spec));
        run.put("options", options);
        Map<String, String> components = new LinkedHashMap<>();
        trainer.recordedConfiguration().forEach((k, v) -> {
            if (k.startsWith("component.")) {
                components.put(k.substring("component.".length()), v);
            }
        });
        run.put("components", components);
        run.put("versions", versions);
        commit.ifPresent(c -> run.put("git", c));
        if (resumeInfo.checkpoint() != null) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("checkpoint", resumeInfo.checkpoint().toString());
            r.put("allowChangedOptions", allowChangedOptions);
            List<Map<String, String>> changes = new ArrayList<>();
            for (String[] c : resumeInfo.changed()) {
                Map<String, String> m = new LinkedHashMap<>();
                m.put("option", c[0]);
                m.put("recorded", c[1]);
                m.put("now", c[2]);
                changes.add(m);
            }
            r.put("changedOptions", changes);
            if (resumeInfo.earlier() != null) {
                r.put("earlierChangedOptions", resumeInfo.earlier());
            }
            run.put("resume", r);
        }
        run.put("dataset", data.name());
        run.put("final", result.last().toMap());
        Files.writeString(output.resolve("run.json"),
                new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(run));
    }

    static int[] parsePk(String text) {
        String[] f = text.toLowerCase(Locale.ROOT).split("x");
        try {
            if (f.length != 2) {
                throw new NumberFormatException();
            }
            int p = Integer.parseInt(f[0].trim());
            int k = Integer.parseInt(f[1].trim());
            if (p < 2 || k < 2) {
                throw new NumberFormatException();
            }
            return new int[] {p, k};
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--pk must be PxK with P >= 2 classes and K >= 2 images each, e.g. 16x4; got '" + text + "'");
        }
    }

    private static String format(Map<String, Double> h) {
        StringBuilder sb = new StringBuilder();
        h.forEach((k, v) -> sb.append(sb.length() == 0 ? "" : "  ").append(k).append('=')
                .append(k.equals("epoch") || k.equals("iteration") ? String.valueOf(v.longValue())
                        : String.format(Locale.ROOT, "%.4g", v)));
        return sb.toString();
    }

    private static void printList(PrintWriter out) {
        print(out, "datasets (--dataset)", Datasets.DATASETS.help());
        print(out, "backbones (--backbone)", Components.BACKBONES.help());
        print(out, "losses (--loss, repeatable; every loss takes weight=)", Components.LOSSES.help());
        print(out, "miners (triplet:miner=NAME)", Components.MINERS.help());
        print(out, "learning-rate schedules (--lr)", Components.LEARNING_RATES.help());
        out.flush();
    }

    private static void print(PrintWriter out, String title, Map<String, String> entries) {
        out.println(title + ":");
        entries.forEach((n, d) -> out.printf(Locale.ROOT, "  %-20s %s%n", n, d));
    }
}
