package org.metric4j.report;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.nn.Block;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.metric4j.dataset.LabeledImages;
import org.metric4j.eval.EmbeddingSet;
import org.metric4j.eval.RocCurve;
import org.metric4j.eval.VerificationProtocol;
import org.metric4j.head.CosineClassifier;
import org.metric4j.math.Inputs;
import org.metric4j.sampler.PxKSampler;
import org.metric4j.sampler.ShuffleSampler;
import org.metric4j.schedule.TrainingClock;
import org.metric4j.train.BatchPlan;
import org.metric4j.train.Components;
import org.metric4j.train.Datasets;
import org.metric4j.train.Embedder;
import org.metric4j.train.EmbeddingTrainer;
import org.metric4j.train.EpochRecord;
import org.metric4j.train.LossComponent;
import org.metric4j.train.TrainConfig;
import org.metric4j.train.TrainResult;
import org.metric4j.train.VerificationEvaluator;

/**
 * Several losses (and backbones) trained on one dataset with one budget, then one report: a
 * table of every metric, the feature clouds (2-D on the plane with class-weight directions, 3-D
 * on the sphere), ROC curves of verification on held-out pairs, loss curves, definitions, and the
 * command and versions.
 */
public final class Comparison {

    /**
     * One trained configuration.
     *
     * @param label its name in the report
     * @param backbone backbone spec
     * @param losses loss specs (a weighted sum when several)
     */
    public record Entry(String label, String backbone, List<String> losses) {}

    /**
     * The shared budget.
     *
     * @param epochs epochs per run
     * @param batchSize batch size (plain shuffling)
     * @param optimizer sgd, adam or adamw
     * @param learningRate learning-rate spec
     * @param seeds the seeds: every entry is trained once per seed (the dataset and its pair
     *     lists are drawn with the first)
     * @param pk P classes x K images per batch, or null: plain shuffling, unless a loss is
     *     pair-based (then 32 x 4)
     * @param device the device every run trains on
     * @param evalEvery evaluate every this many epochs (and after the last)
     * @param headLrFactor the heads' learning rate over the backbone's (proxies, class weights,
     *     centers; 1 for the same rate)
     */
    public record Budget(int epochs, int batchSize, String optimizer, String learningRate, List<Long> seeds, int[] pk,
            Device device, int evalEvery, double headLrFactor) {

        /** Checks the device, the seeds, the evaluation period and the head factor. */
        public Budget {
            java.util.Objects.requireNonNull(device, "device");
            seeds = List.copyOf(seeds);
            if (seeds.isEmpty() || new java.util.HashSet<>(seeds).size() != seeds.size()) {
                throw new IllegalArgumentException("seeds must be distinct and at least one, got " + seeds);
            }
            Inputs.atLeast("evalEvery", evalEvery, 1);
            Inputs.positive("headLrFactor", headLrFactor);
        }

        /** The heads at the backbone's learning rate. */
        public Budget(int epochs, int batchSize, String optimizer, String learningRate, List<Long> seeds, int[] pk,
                Device device, int evalEvery) {
            this(epochs, batchSize, optimizer, learningRate, seeds, pk, device, evalEvery, 1);
        }

        /** One seed, evaluation after every epoch. */
        public Budget(int epochs, int batchSize, String optimizer, String learningRate, long seed, int[] pk,
                Device device) {
            this(epochs, batchSize, optimizer, learningRate, List.of(seed), pk, device, 1);
        }

        /** The first seed (the dataset's). */
        public long seed() {
            return seeds.get(0);
        }
    }

    private final String dataset;
    private final List<Entry> entries;
    private final Budget budget;
    private final String command;
    private final List<Finding> findings;
    private final String recipe;

    /** A comparison of entries on a dataset spec. */
    public Comparison(String dataset, List<Entry> entries, Budget budget, String command) {
        this(dataset, entries, budget, command, List.of(), null);
    }

    private Comparison(String dataset, List<Entry> entries, Budget budget, String command, List<Finding> findings,
            String recipe) {
        if (entries.isEmpty()) {
            throw new IllegalArgumentException("a comparison needs at least one entry");
        }
        java.util.Set<String> labels = new java.util.HashSet<>();
        for (Entry e : entries) {
            if (!labels.add(e.label())) {
                throw new IllegalArgumentException("two entries are labelled '" + e.label() + "'");
            }
        }
        for (Finding f : findings) {
            if (!labels.containsAll(f.candidates()) || !labels.contains(f.baseline())) {
                throw new IllegalArgumentException("finding " + f + " names a run that is not an entry: " + labels);
            }
        }
        this.dataset = dataset;
        this.entries = List.copyOf(entries);
        this.budget = budget;
        this.command = command;
        this.findings = List.copyOf(findings);
        this.recipe = recipe;
    }

    /** The same comparison, whose report checks these findings first. */
    public Comparison withFindings(List<Finding> expected) {
        return new Comparison(dataset, entries, budget, command, expected, recipe);
    }

    /** The same comparison, whose report states this recipe (what the budget line does not say). */
    public Comparison withRecipe(String text) {
        return new Comparison(dataset, entries, budget, command, findings, text);
    }

    /** One trained run: an entry with one seed. */
    private record Outcome(Entry entry, long seed, TrainResult result, EmbeddingSet heldOut, double[] weights, int dim,
            VerificationProtocol.Report verification) {}

    /**
     * Trains every entry with every seed, then writes the report into {@code out}.
     *
     * @param out the output directory
     * @param progress where run-by-run progress goes
     * @param progressBars whether to draw progress bars
     * @return the report page
     */
    public Path run(Path out, PrintWriter progress, boolean progressBars) throws IOException {
        return run(out, progress, progressBars, false);
    }

    /**
     * Trains every entry with every seed, each in {@code out/runs/NN-LABEL/seed-S/} with a
     * checkpoint per epoch, then writes the report into {@code out}. With {@code resume}, a run
     * already finished is read back from its last checkpoint and an unfinished one continues from
     * its newest (also a mid-epoch one written on Ctrl-C); the comparison must be the one recorded
     * in {@code out/comparison.json}. Without it, earlier runs in {@code out} are deleted first.
     *
     * @param out the output directory
     * @param progress where run-by-run progress goes
     * @param progressBars whether to draw progress bars
     * @param resume whether to continue the comparison already in {@code out}
     * @return the report page
     * @throws EmbeddingTrainer.Stopped when a shutdown (Ctrl-C) stopped a run; its checkpoint is written
     */
    public Path run(Path out, PrintWriter progress, boolean progressBars, boolean resume) throws IOException {
        Files.createDirectories(out);
        Path recorded = out.resolve(PLAN_FILE);
        String plan = plan();
        if (resume) {
            String mismatch = resumeMismatch(out);
            if (mismatch != null) {
                throw new IllegalArgumentException(mismatch);
            }
        } else {
            org.metric4j.io.FileTrees.delete(out.resolve(RUNS_DIR));
        }
        Files.writeString(recorded, plan, java.nio.charset.StandardCharsets.UTF_8);
        Datasets.TrainData data = Datasets.DATASETS.create(dataset, budget.seed());
        VerificationEvaluator pairs = data.evaluators().stream().filter(VerificationEvaluator.class::isInstance)
                .map(VerificationEvaluator.class::cast).findFirst()
                .orElseGet(() -> new VerificationEvaluator(data.heldOut(), 300, budget.seed()));
        List<Outcome> outcomes = new ArrayList<>();
        long start = System.nanoTime();
        int total = entries.size() * budget.seeds().size();
        int n = 0;
        for (int i = 0; i < entries.size(); i++) {
            Entry e = entries.get(i);
            for (long seed : budget.seeds()) {
                n++;
                progress.printf(Locale.ROOT, "[%d/%d] %s%s: %s with %s on %s%n", n, total, e.label(),
                        budget.seeds().size() > 1 ? " (seed " + seed + ")" : "", e.backbone(),
                        String.join(" + ", e.losses()), data.name());
                progress.flush();
                Outcome o = train(e, seed, runDirectory(out, i, e, seed), data, pairs, progressBars);
                outcomes.add(o);
                Map<String, Double> last = o.result().last().toMap();
                String how = o.result().resumedFromEpoch() + 1 >= budget.epochs() ? "already done"
                        : o.result().resumedFromEpoch() >= 0 ? "resumed after epoch " + (o.result().resumedFromEpoch() + 1)
                        + ", done" : "done";
                progress.printf(Locale.ROOT, "      %s in %.0f s (last epoch): %s%n", how, last.get("seconds"),
                        summary(last));
                progress.flush();
            }
        }
        Path page = report(out, data, pairs, outcomes, (System.nanoTime() - start) / 1e9);
        progress.printf(Locale.ROOT, "report: %s%n", page.toAbsolutePath());
        progress.flush();
        return page;
    }

    /**
     * Why this comparison cannot resume the one in {@code out}, or null when it can (same
     * dataset, configurations and budget as {@value #PLAN_FILE} records; or nothing recorded).
     */
    public String resumeMismatch(Path out) throws IOException {
        Path recorded = out.resolve(PLAN_FILE);
        if (!Files.isRegularFile(recorded)) {
            return null;
        }
        String before = Files.readString(recorded, java.nio.charset.StandardCharsets.UTF_8);
        boolean same;
        try { // as JSON values: the order of an object's keys does not matter
            same = com.google.gson.JsonParser.parseString(before).equals(com.google.gson.JsonParser.parseString(plan()));
        } catch (com.google.gson.JsonParseException unreadable) {
            same = false;
        }
        return same ? null : "the comparison in " + out + " was started with other settings (" + recorded
                + "); resume it with the options recorded there, or start a new one in another directory";
    }

    /** The file recording what a comparison directory holds, for {@code --resume}. */
    public static final String PLAN_FILE = "comparison.json";

    /** The directory of the runs' checkpoints and metrics. */
    public static final String RUNS_DIR = "runs";

    private static Path runDirectory(Path out, int index, Entry e, long seed) {
        return out.resolve(RUNS_DIR).resolve(String.format(Locale.ROOT, "%02d-%s", index + 1, slug(e.label())))
                .resolve("seed-" + seed);
    }

    /** What a resumed comparison must repeat: the dataset, the entries and the budget. */
    private String plan() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("dataset", dataset);
        List<Map<String, Object>> es = new ArrayList<>();
        for (Entry e : entries) {
            Map<String, Object> m1 = new LinkedHashMap<>(); // fixed key order (Map.of's changes between JVMs)
            m1.put("label", e.label());
            m1.put("backbone", e.backbone());
            m1.put("losses", e.losses());
            es.add(m1);
        }
        m.put("entries", es);
        m.put("epochs", budget.epochs());
        m.put("batch_size", budget.batchSize());
        m.put("optimizer", budget.optimizer());
        m.put("lr", budget.learningRate());
        m.put("seeds", budget.seeds());
        m.put("pk", budget.pk() == null ? null : Arrays.stream(budget.pk()).boxed().toList());
        m.put("eval_every", budget.evalEvery());
        if (budget.headLrFactor() != 1) {
            m.put("head_lr_factor", budget.headLrFactor()); // absent at 1: older plans still resume
        }
        return new com.google.gson.GsonBuilder().setPrettyPrinting().serializeNulls().create().toJson(m) + "\n";
    }

    private Outcome train(Entry e, long seed, Path dir, Datasets.TrainData data, VerificationEvaluator pairs,
            boolean bars) {
        TrainingClock clock = new TrainingClock();
        Components.Context ctx = new Components.Context(data.train().numClasses(), clock);
        List<LossComponent> parts = new ArrayList<>();
        for (String l : e.losses()) {
            parts.add(Components.LOSSES.create(l, ctx));
        }
        TrainConfig.OptimizerKind kind = TrainConfig.OptimizerKind.parse(budget.optimizer());
        TrainConfig config = TrainConfig.builder().optEpochs(budget.epochs()).optSeed(seed)
                .optOptimizer(kind, kind == TrainConfig.OptimizerKind.SGD ? 0.9 : 0)
                .optLearningRate(Components.LEARNING_RATES.create(budget.learningRate(), null))
                .optWeightDecay(kind == TrainConfig.OptimizerKind.SGD ? 5e-4 : 0)
                .optEvalEvery(budget.evalEvery()).optHeadLearningRateFactor(budget.headLrFactor()).optOutputDir(dir)
                .optProgressBar(bars).optDevice(budget.device()).build();
        LabeledImages train = data.train();
        BatchPlan plan;
        boolean pairLoss = parts.stream().anyMatch(p -> p.kind() == LossComponent.Kind.METRIC);
        if (budget.pk() != null || pairLoss) {
            int[] pk = budget.pk() != null ? budget.pk() : new int[] {32, 4};
            plan = PxKSampler.builder().setLabels(train).optP(pk[0]).optK(pk[1]).optSeed(seed).build()
                    ::epochBatches;
        } else {
            plan = ShuffleSampler.builder().setSize(train).optBatchSize(budget.batchSize()).optSeed(seed)
                    .build()::epochBatches;
        }
        Block backbone = Components.BACKBONES.create(e.backbone(), null);
        try (EmbeddingTrainer t = new EmbeddingTrainer(config, backbone, parts, train, plan,
                data.evaluators(), clock)) {
            TrainResult r = fitStoppable(t);
            return t.withFinalEmbeddings(() -> {
                EmbeddingSet held = Embedder.embed(t.backbone(), data.heldOut(), 0, t.manager());
                VerificationProtocol.Report v = pairs.data() == data.heldOut() ? pairs.report(held)
                        : pairs.report(t.backbone(), t.manager());
                double[] weights = null;
                for (LossComponent c : parts) {
                    if (c.head() instanceof CosineClassifier head && head.subCenters() == 1) {
                        NDArray w = head.weight().getArray();
                        weights = w.transpose().toType(ai.djl.ndarray.types.DataType.FLOAT64, false).toDoubleArray();
                    }
                }
                return new Outcome(e, seed, r, held, weights, held.dim(), v);
            });
        }
    }

    /**
     * {@link EmbeddingTrainer#fit()} with a shutdown hook: on Ctrl-C the trainer stops at its next
     * step and writes a mid-epoch checkpoint before the JVM exits.
     */
    private static TrainResult fitStoppable(EmbeddingTrainer t) {
        java.util.concurrent.CountDownLatch finished = new java.util.concurrent.CountDownLatch(1);
        Thread hook = new Thread(() -> {
            t.requestStop();
            try {
                finished.await(120, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "metric4j-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            return t.fit();
        } finally {
            finished.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the JVM is exiting: the hook is running and returns now
            }
        }
    }

    /** Mean and sample standard deviation (n - 1; NaN with one value) of each final metric over an entry's seeds. */
    private record Spread(Map<String, Double> mean, Map<String, Double> std) {}

    private Map<Entry, List<Outcome>> byEntry(List<Outcome> outcomes) {
        Map<Entry, List<Outcome>> m = new LinkedHashMap<>();
        for (Outcome o : outcomes) {
            m.computeIfAbsent(o.entry(), k -> new ArrayList<>()).add(o);
        }
        return m;
    }

    private static Map<String, Double> finalMetrics(Outcome o) {
        Map<String, Double> last = new LinkedHashMap<>(o.result().last().toMap());
        last.put("pairs_accuracy", o.verification().accuracyMean());
        last.put("pairs_auc", o.verification().auc());
        last.put("pairs_tar_at_far_1e-2", o.verification().tarAtFar().getOrDefault(1e-2, Double.NaN));
        return last;
    }

    private static Spread spread(List<Outcome> runs) {
        Map<String, List<Double>> values = new LinkedHashMap<>();
        for (Outcome o : runs) {
            finalMetrics(o).forEach((k, v) -> values.computeIfAbsent(k, x -> new ArrayList<>()).add(v));
        }
        Map<String, Double> mean = new LinkedHashMap<>();
        Map<String, Double> std = new LinkedHashMap<>();
        values.forEach((k, v) -> {
            double m = v.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
            double ss = v.stream().mapToDouble(x -> (x - m) * (x - m)).sum();
            mean.put(k, m);
            std.put(k, v.size() > 1 ? Math.sqrt(ss / (v.size() - 1)) : Double.NaN);
        });
        return new Spread(mean, std);
    }

    /** Metrics shown by epoch, when they were evaluated more than once. */
    static final List<String> BY_EPOCH = List.of("ncc_accuracy", "precision_at_1", "verification_accuracy",
            "openset_tar_at_far_1e-2", "openset_auc", "angle_ratio");

    private Path report(Path out, Datasets.TrainData data, VerificationEvaluator pairs, List<Outcome> outcomes,
            double seconds) throws IOException {
        Map<Entry, List<Outcome>> groups = byEntry(outcomes);
        Map<String, Map<String, Double>> means = new LinkedHashMap<>();
        Map<String, Map<String, Double>> stds = new LinkedHashMap<>();
        groups.forEach((e, runs) -> {
            Spread sp = spread(runs);
            means.put(e.label(), sp.mean());
            stds.put(e.label(), sp.std());
        });
        int seeds = budget.seeds().size();
        HtmlReport page = new HtmlReport("metric4j: loss comparison on " + data.name());
        for (String p : ResultsSummary.paragraphs(entries, means, stds, findings)) {
            page.paragraph(p);
        }
        page.paragraph(String.format(Locale.ROOT, "%d runs (%d configurations x %d seed%s: %s), each %d epoch(s), "
                        + "batch %d, %s, learning rate %s%s; total %.0f s. Held-out set: %s items of %d classes.%s",
                outcomes.size(), entries.size(), seeds, seeds > 1 ? "s" : "", budget.seeds().toString(), budget.epochs(),
                budget.batchSize(), budget.optimizer(), budget.learningRate(), budget.headLrFactor() == 1 ? ""
                        : String.format(Locale.ROOT, " (heads at %sx)", budget.headLrFactor()), seconds,
                data.heldOut().size(), data.heldOut().numClasses(), seeds > 1
                        ? " Tables show the mean \u00b1 standard deviation over the seeds; figures show the first seed."
                        : ""));
        if (recipe != null) {
            page.paragraph(recipe);
        }
        page.heading("Metrics");
        List<String> keys = new ArrayList<>();
        for (Map<String, Double> m : means.values()) {
            for (String k : m.keySet()) {
                if (!keys.contains(k) && !k.equals("epoch") && !k.equals("iteration") && !k.startsWith("loss_")
                        && !k.equals("lr") && !k.equals("loop_overhead") && !k.startsWith("pairs_")) {
                    keys.add(k);
                }
            }
        }
        boolean separatePairs = !keys.contains(pairs.prefix() + "_accuracy");
        List<String> headers = new ArrayList<>(List.of("run", "backbone", "losses"));
        headers.addAll(keys);
        if (separatePairs) {
            headers.addAll(List.of("pairs accuracy", "pairs AUC", "TAR@FAR=1e-2"));
        }
        List<List<Object>> rows = new ArrayList<>();
        for (Entry e : groups.keySet()) {
            List<Object> row = new ArrayList<>(List.of(e.label(), e.backbone(), String.join(" + ", e.losses())));
            Map<String, Double> m = means.get(e.label());
            Map<String, Double> sd = stds.get(e.label());
            List<String> shown = new ArrayList<>(keys);
            if (separatePairs) {
                shown.addAll(List.of("pairs_accuracy", "pairs_auc", "pairs_tar_at_far_1e-2"));
            }
            for (String k : shown) {
                Double v = m.get(k);
                row.add(v == null ? "" : seeds > 1 ? Finding.format(v, sd.get(k)) : (Object) v);
            }
            rows.add(row);
        }
        page.table(headers, rows);
        page.heading("Features of the held-out set");
        String[] classNames = new String[data.heldOut().numClasses()];
        for (int c = 0; c < classNames.length; c++) {
            classNames[c] = String.valueOf(c);
        }
        int shown = 0;
        for (List<Outcome> runs : groups.values()) {
            Outcome o = runs.get(0);
            String name = slug(o.entry().label());
            EmbeddingSet e = o.heldOut();
            long[] labels = e.labels();
            if (o.dim() == 2) {
                page.figure(name + "-features", Charts.features2d(o.entry().label(), e.values(), labels, classNames,
                        o.weights()), o.entry().label() + ": 2-D features of held-out items"
                        + (o.weights() != null ? ", lines: class-weight directions" : ""));
                shown++;
            } else if (o.dim() == 3) {
                page.figure(name + "-sphere", Charts.sphere(o.entry().label(), e.values(), labels, classNames),
                        o.entry().label() + ": 3-D features normalized onto the unit sphere (faint: far side)");
                shown++;
            }
        }
        if (shown == 0) {
            page.paragraph("The embeddings have more than 3 dimensions: no feature plot.");
        }
        page.heading("Verification and training");
        Map<String, RocCurve> rocs = new LinkedHashMap<>();
        Map<String, double[]> losses = new LinkedHashMap<>();
        for (List<Outcome> runs : groups.values()) {
            Outcome o = runs.get(0);
            rocs.put(o.entry().label(), o.verification().roc());
            losses.put(o.entry().label(), smooth(o.result().stepLosses()));
        }
        String pairSet = pairs.data() == data.heldOut() ? "held-out" : "unseen-class";
        page.figure("roc", Charts.roc("ROC of " + pairSet + " pairs", rocs), String.format(Locale.ROOT,
                "True accept rate against false accept rate (log scale) on %,d genuine and %,d impostor %s pairs",
                pairs.genuinePairs(), pairs.impostorPairs(), pairSet));
        page.figure("loss", Charts.curves("Training loss", "step", "loss (moving average of 10 steps)", losses),
                "The total training loss of each run, step by step");
        for (String metric : BY_EPOCH) {
            Map<String, double[]> byEpoch = new LinkedHashMap<>();
            Map<String, double[]> epochs = new LinkedHashMap<>();
            for (List<Outcome> runs : groups.values()) {
                List<double[]> points = epochMeans(runs, metric);
                if (points.size() > 1) {
                    epochs.put(runs.get(0).entry().label(), points.stream().mapToDouble(p -> p[0]).toArray());
                    byEpoch.put(runs.get(0).entry().label(), points.stream().mapToDouble(p -> p[1]).toArray());
                }
            }
            if (!byEpoch.isEmpty()) {
                org.knowm.xchart.XYChart chart = Charts.curves(metric + " by epoch", "epoch", metric, epochs, byEpoch);
                chart.getStyler().setLegendPosition(Finding.lowerIsBetter(metric)
                        ? org.knowm.xchart.style.Styler.LegendPosition.InsideNE
                        : org.knowm.xchart.style.Styler.LegendPosition.InsideSE);
                page.figure(slug(metric) + "-by-epoch", chart, metric + " after each evaluated epoch"
                        + (seeds > 1 ? ", mean over the seeds" : "") + " (see Definitions)");
            }
        }
        writeResults(out, data, groups, means, stds, seconds);
        page.heading("Definitions");
        page.definitions(definitions());
        page.heading("Provenance");
        page.code(command + "\n\nmetric4j " + buildVersion() + ", DJL " + ai.djl.engine.Engine.getDjlVersion()
                + " (" + ai.djl.engine.Engine.getInstance().getEngineName() + " " + ai.djl.engine.Engine.getInstance().getVersion()
                + "), Java " + System.getProperty("java.version") + ", " + System.getProperty("os.name") + " "
                + System.getProperty("os.arch") + ", " + Runtime.getRuntime().availableProcessors() + " cores");
        return page.write(out);
    }

    /** {epoch (1-based), mean over the seeds} of each epoch where every seed has the metric. */
    private static List<double[]> epochMeans(List<Outcome> runs, String metric) {
        List<double[]> points = new ArrayList<>();
        int epochs = runs.stream().mapToInt(o -> o.result().history().size()).min().orElse(0);
        for (int ep = 0; ep < epochs; ep++) {
            double sum = 0;
            boolean all = true;
            for (Outcome o : runs) {
                Double v = o.result().history().get(ep).metrics().get(metric);
                all &= v != null && Double.isFinite(v);
                sum += v == null ? 0 : v;
            }
            if (all) {
                points.add(new double[] {ep + 1, sum / runs.size()});
            }
        }
        return points;
    }

    /** The build's version (written into {@code metric4j.properties} by Maven's resource filtering). */
    private static String buildVersion() {
        try (java.io.InputStream in = Comparison.class.getResourceAsStream("/org/metric4j/metric4j.properties")) {
            java.util.Properties p = new java.util.Properties();
            if (in != null) {
                p.load(in);
            }
            return p.getProperty("version", "(unknown: no metric4j.properties on the class path)");
        } catch (java.io.IOException e) {
            return "(unknown: " + e.getMessage() + ")";
        }
    }

    /**
     * {@code results.json}: per configuration the mean ({@code final}) and standard deviation
     * ({@code std}) of the final metrics over the seeds, and each seed's final metrics and
     * per-epoch history; the findings with their verdicts.
     */
    private void writeResults(Path out, Datasets.TrainData data, Map<Entry, List<Outcome>> groups,
            Map<String, Map<String, Double>> means, Map<String, Map<String, Double>> stds, double seconds)
            throws IOException {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("command", command);
        root.put("dataset", data.name());
        root.put("seconds", seconds);
        root.put("seeds", budget.seeds());
        List<Map<String, Object>> checked = new ArrayList<>();
        for (Finding f : findings) {
            Finding.Verdict v = f.check(means, stds);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("run", v.run());
            if (f.candidates().size() > 1) {
                m.put("candidates", f.candidates());
                m.put("chosen_by", f.selectBy());
            }
            m.put("metric", f.metric());
            m.put("baseline", f.baseline());
            m.put("holds", v.holds());
            m.put("sentence", v.sentence());
            checked.add(m);
        }
        root.put("findings", checked);
        List<Map<String, Object>> runs = new ArrayList<>();
        for (Map.Entry<Entry, List<Outcome>> g : groups.entrySet()) {
            Entry e = g.getKey();
            Map<String, Object> run = new LinkedHashMap<>();
            run.put("label", e.label());
            run.put("backbone", e.backbone());
            run.put("losses", e.losses());
            run.put("final", means.get(e.label()));
            if (budget.seeds().size() > 1) {
                run.put("std", stds.get(e.label()));
            }
            List<Map<String, Object>> perSeed = new ArrayList<>();
            for (Outcome o : g.getValue()) {
                Map<String, Object> s = new LinkedHashMap<>();
                s.put("seed", o.seed());
                s.put("final", finalMetrics(o));
                s.put("history", o.result().history().stream().map(EpochRecord::toMap).toList());
                perSeed.add(s);
            }
            run.put("seeds", perSeed);
            runs.add(run);
        }
        root.put("runs", runs);
        Files.writeString(out.resolve("results.json"), new com.google.gson.GsonBuilder().setPrettyPrinting()
                .serializeSpecialFloatingPointValues().create().toJson(root), java.nio.charset.StandardCharsets.UTF_8);
    }

    static double[] smooth(List<Double> values) {
        double[] out = new double[values.size()];
        double sum = 0;
        for (int i = 0; i < out.length; i++) {
            sum += values.get(i);
            if (i >= 10) {
                sum -= values.get(i - 10);
            }
            out[i] = sum / Math.min(i + 1, 10);
        }
        return out;
    }

    static String slug(String s) {
        return s.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("(^-|-$)", "");
    }

    static Map<String, String> definitions() {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("loss", "mean training loss over the last epoch's steps (the weighted sum of the components)");
        d.put("seconds, images_per_second", "wall time and throughput of the last training epoch");
        d.put("ncc_accuracy", "nearest class center accuracy: a test item takes the class whose mean normalized training embedding has the highest cosine with it");
        d.put("precision_at_1", "leave-one-out on the held-out set: the nearest other item (cosine) has the same class");
        d.put("map_at_r", "mean average precision at R (Musgrave et al. 2020): R = number of other items of the class; (1/R) sum over the R nearest of precision at i times relevance");
        d.put("verification_accuracy, pairs accuracy", "10-fold verification accuracy on genuine/impostor pairs of held-out items: threshold chosen on 9 folds (midpoints of sorted scores, ties to the smallest), cosine > threshold means 'same'");
        d.put("verification_auc, pairs AUC", "area under the ROC curve of the pair scores");
        d.put("verification_eer", "equal error rate: (FAR + FRR) / 2 where they are closest");
        d.put("TAR@FAR=1e-2, *_tar_at_far_1e-2", "largest true accept rate among ROC points whose false accept rate is at most 0.01");
        d.put("openset_accuracy, openset_auc, openset_eer", "the same verification on pairs of test images of classes never seen in training (genuine and impostor pair counts in the ROC caption)");
        d.put("intra_angle_deg", "intra-class compactness: mean angle (degrees) between a held-out feature and its class's mean direction (the normalized mean of the class's unit features)");
        d.put("inter_angle_deg", "inter-class separation: the smallest angle (degrees) between two class mean directions");
        d.put("angle_ratio", "intra_angle_deg / inter_angle_deg: lower is more discriminative");
        d.put("mean \u00b1 std", "over the seeds: the mean and the sample standard deviation (n - 1)");
        return d;
    }

    private static String summary(Map<String, Double> last) {
        StringBuilder sb = new StringBuilder();
        for (String k : Arrays.asList("loss", "ncc_accuracy", "precision_at_1", "verification_auc", "images_per_second")) {
            if (last.containsKey(k)) {
                sb.append(sb.length() == 0 ? "" : ", ").append(k).append(' ')
                        .append(String.format(Locale.ROOT, "%.4g", last.get(k)));
            }
        }
        return sb.toString();
    }
}
