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
     * @param optimizer sgd or adam
     * @param learningRate learning-rate spec
     * @param seed seed
     * @param pk P classes x K images per batch, or null: plain shuffling, unless a loss is
     *     pair-based (then 32 x 4)
     * @param device the device every run trains on
     */
    public record Budget(int epochs, int batchSize, String optimizer, String learningRate, long seed, int[] pk,
            Device device) {

        /** Checks the device. */
        public Budget {
            java.util.Objects.requireNonNull(device, "device");
        }
    }

    private final String dataset;
    private final List<Entry> entries;
    private final Budget budget;
    private final String command;

    /** A comparison of entries on a dataset spec. */
    public Comparison(String dataset, List<Entry> entries, Budget budget, String command) {
        if (entries.isEmpty()) {
            throw new IllegalArgumentException("a comparison needs at least one entry");
        }
        this.dataset = dataset;
        this.entries = List.copyOf(entries);
        this.budget = budget;
        this.command = command;
    }

    private record Outcome(Entry entry, TrainResult result, EmbeddingSet heldOut, double[] weights, int dim, RocCurve roc,
            VerificationProtocol.Report verification) {}

    /**
     * Trains every entry, then writes the report into {@code out}.
     *
     * @param out the output directory
     * @param progress where run-by-run progress goes
     * @param progressBars whether to draw progress bars
     * @return the report page
     */
    public Path run(Path out, PrintWriter progress, boolean progressBars) throws IOException {
        Files.createDirectories(out);
        Datasets.TrainData data = Datasets.DATASETS.create(dataset, budget.seed());
        VerificationEvaluator pairs = new VerificationEvaluator(data.heldOut(), 300, budget.seed());
        List<Outcome> outcomes = new ArrayList<>();
        long start = System.nanoTime();
        for (int i = 0; i < entries.size(); i++) {
            Entry e = entries.get(i);
            progress.printf(Locale.ROOT, "[%d/%d] %s: %s with %s on %s%n", i + 1, entries.size(), e.label(),
                    e.backbone(), String.join(" + ", e.losses()), data.name());
            progress.flush();
            outcomes.add(train(e, data, pairs, progressBars));
            Map<String, Double> last = outcomes.get(i).result().last().toMap();
            progress.printf(Locale.ROOT, "      done in %.0f s: %s%n", last.get("seconds"), summary(last));
            progress.flush();
        }
        Path page = report(out, data, outcomes, (System.nanoTime() - start) / 1e9);
        progress.printf(Locale.ROOT, "report: %s%n", page.toAbsolutePath());
        progress.flush();
        return page;
    }

    private Outcome train(Entry e, Datasets.TrainData data, VerificationEvaluator pairs, boolean bars) {
        TrainingClock clock = new TrainingClock();
        Components.Context ctx = new Components.Context(data.train().numClasses(), clock);
        List<LossComponent> parts = new ArrayList<>();
        for (String l : e.losses()) {
            parts.add(Components.LOSSES.create(l, ctx));
        }
        TrainConfig.OptimizerKind kind = TrainConfig.OptimizerKind.parse(budget.optimizer());
        TrainConfig config = TrainConfig.builder().optEpochs(budget.epochs()).optSeed(budget.seed())
                .optOptimizer(kind, kind == TrainConfig.OptimizerKind.SGD ? 0.9 : 0)
                .optLearningRate(Components.LEARNING_RATES.create(budget.learningRate(), null))
                .optWeightDecay(kind == TrainConfig.OptimizerKind.ADAM ? 0 : 5e-4)
                .optProgressBar(bars).optDevice(budget.device()).build();
        LabeledImages train = data.train();
        BatchPlan plan;
        boolean pairLoss = parts.stream().anyMatch(p -> p.kind() == LossComponent.Kind.METRIC);
        if (budget.pk() != null || pairLoss) {
            int[] pk = budget.pk() != null ? budget.pk() : new int[] {32, 4};
            plan = PxKSampler.builder().setLabels(train).optP(pk[0]).optK(pk[1]).optSeed(budget.seed()).build()
                    ::epochBatches;
        } else {
            plan = ShuffleSampler.builder().setSize(train).optBatchSize(budget.batchSize()).optSeed(budget.seed())
                    .build()::epochBatches;
        }
        Block backbone = Components.BACKBONES.create(e.backbone(), null);
        try (EmbeddingTrainer t = new EmbeddingTrainer(config, backbone, parts, train, plan,
                data.evaluators(), clock)) {
            TrainResult r = t.fit();
            EmbeddingSet held = Embedder.embed(t.backbone(), data.heldOut(), 0, t.manager());
            VerificationProtocol.Report v = pairs.report(held);
            double[] weights = null;
            for (LossComponent c : parts) {
                if (c.head() instanceof CosineClassifier head && head.subCenters() == 1) {
                    NDArray w = head.weight().getArray();
                    weights = w.transpose().toType(ai.djl.ndarray.types.DataType.FLOAT64, false).toDoubleArray();
                }
            }
            return new Outcome(e, r, held, weights, held.dim(), v.roc(), v);
        }
    }

    private Path report(Path out, Datasets.TrainData data, List<Outcome> outcomes, double seconds) throws IOException {
        HtmlReport page = new HtmlReport("metric4j: loss comparison on " + data.name());
        page.paragraph(String.format(Locale.ROOT, "%d runs, each %d epoch(s), batch %d, %s, learning rate %s, seed %d; "
                        + "total %.0f s. Held-out set: %s items of %d classes.", outcomes.size(), budget.epochs(),
                budget.batchSize(), budget.optimizer(), budget.learningRate(), budget.seed(), seconds,
                data.heldOut().size(), data.heldOut().numClasses()));
        page.heading("Metrics");
        List<String> keys = new ArrayList<>();
        for (Outcome o : outcomes) {
            for (String k : o.result().last().toMap().keySet()) {
                if (!keys.contains(k) && !k.equals("epoch") && !k.equals("iteration") && !k.startsWith("loss_")
                        && !k.equals("lr") && !k.equals("loop_overhead")) {
                    keys.add(k);
                }
            }
        }
        List<String> headers = new ArrayList<>(List.of("run", "backbone", "losses"));
        headers.addAll(keys);
        headers.addAll(List.of("pairs accuracy", "pairs AUC", "TAR@FAR=1e-2"));
        List<List<Object>> rows = new ArrayList<>();
        for (Outcome o : outcomes) {
            List<Object> row = new ArrayList<>(List.of(o.entry().label(), o.entry().backbone(),
                    String.join(" + ", o.entry().losses())));
            for (String k : keys) {
                Double v = o.result().last().toMap().get(k);
                row.add(v == null ? "" : v);
            }
            row.add(o.verification().accuracyMean());
            row.add(o.verification().auc());
            row.add(o.verification().tarAtFar().getOrDefault(1e-2, Double.NaN));
            rows.add(row);
        }
        page.table(headers, rows);
        page.heading("Features of the held-out set");
        String[] classNames = new String[data.heldOut().numClasses()];
        for (int c = 0; c < classNames.length; c++) {
            classNames[c] = String.valueOf(c);
        }
        int shown = 0;
        for (Outcome o : outcomes) {
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
        for (Outcome o : outcomes) {
            rocs.put(o.entry().label(), o.roc());
            losses.put(o.entry().label(), smooth(o.result().stepLosses()));
        }
        page.figure("roc", Charts.roc("ROC of held-out pairs", rocs),
                "True accept rate against false accept rate (log scale) on 300 genuine and 300 impostor held-out pairs");
        page.figure("loss", Charts.curves("Training loss", "step", "loss (moving average of 10 steps)", losses),
                "The total training loss of each run, step by step");
        if (budget.epochs() > 1) {
            for (String metric : List.of("precision_at_1", "ncc_accuracy", "verification_accuracy")) {
                Map<String, double[]> byEpoch = new LinkedHashMap<>();
                for (Outcome o : outcomes) {
                    double[] v = o.result().history().stream().mapToDouble(h -> h.metrics().getOrDefault(metric, Double.NaN))
                            .toArray();
                    if (Arrays.stream(v).anyMatch(Double::isFinite)) {
                        byEpoch.put(o.entry().label(), v);
                    }
                }
                if (!byEpoch.isEmpty()) {
                    org.knowm.xchart.XYChart chart = Charts.curves(metric + " after each epoch", "epoch", metric,
                            byEpoch);
                    // rising curves: the legend goes where they are not
                    chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideSE);
                    page.figure(metric + "-by-epoch", chart, metric + " of the held-out set after each epoch"
                            + " (see Definitions)");
                }
            }
        }
        writeResults(out, data, outcomes, seconds);
        page.heading("Definitions");
        page.definitions(definitions());
        page.heading("Provenance");
        page.code(command + "\n\nmetric4j " + buildVersion() + ", DJL " + ai.djl.engine.Engine.getDjlVersion()
                + " (" + ai.djl.engine.Engine.getInstance().getEngineName() + " " + ai.djl.engine.Engine.getInstance().getVersion()
                + "), Java " + System.getProperty("java.version") + ", " + System.getProperty("os.name") + " "
                + System.getProperty("os.arch") + ", " + Runtime.getRuntime().availableProcessors() + " cores");
        return page.write(out);
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

    /** {@code results.json}: every run's final metrics and per-epoch history, for scripts and the README. */
    private void writeResults(Path out, Datasets.TrainData data, List<Outcome> outcomes, double seconds)
            throws IOException {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("command", command);
        root.put("dataset", data.name());
        root.put("seconds", seconds);
        List<Map<String, Object>> runs = new ArrayList<>();
        for (Outcome o : outcomes) {
            Map<String, Object> run = new LinkedHashMap<>();
            run.put("label", o.entry().label());
            run.put("backbone", o.entry().backbone());
            run.put("losses", o.entry().losses());
            Map<String, Double> last = o.result().last().toMap();
            last.put("pairs_accuracy", o.verification().accuracyMean());
            last.put("pairs_auc", o.verification().auc());
            last.put("pairs_tar_at_far_1e-2", o.verification().tarAtFar().getOrDefault(1e-2, Double.NaN));
            run.put("final", last);
            run.put("history", o.result().history().stream().map(EpochRecord::toMap).toList());
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
        d.put("TAR@FAR=1e-2", "largest true accept rate among ROC points whose false accept rate is at most 0.01");
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
