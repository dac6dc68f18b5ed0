package org.metric4j.cli;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.google.gson.GsonBuilder;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.metric4j.engine.DistributedEngine;
import org.metric4j.engine.EvaluateJob;
import org.metric4j.engine.EvaluateResult;
import org.metric4j.eval.Clustering;
import org.metric4j.eval.EmbeddingSet;
import org.metric4j.eval.KnnSearch;
import org.metric4j.eval.PairVerification;
import org.metric4j.eval.PairsFile;
import org.metric4j.eval.RetrievalMetrics;
import org.metric4j.eval.VerificationProtocol;
import org.metric4j.io.EmbeddingFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code metric4j evaluate}: evaluates saved embeddings (from metric4j or any framework: .npy or
 * CSV) by verification against a pairs file, leave-one-out retrieval and clustering, or InsightFace's
 * verification .bin sets ({@code --bin}, {@link VerificationBinOptions}). Prints a
 * readable report and, last, one JSON line with every number.
 */
@Command(
        name = "evaluate",
        mixinStandardHelpOptions = true,
        description = "Evaluate saved embeddings (.npy or CSV): verification on an LFW-style pairs "
                + "file, leave-one-out retrieval, clustering.")
final class EvaluateCommand implements Callable<Integer> {

    @Spec CommandSpec spec;

    @Option(names = "--embeddings",
            description = "Embeddings: N x D .npy (float32/float64) or CSV 'name,label,e0,...' (required but with --bin or --ijb and a model).")
    Path embeddings;

    @Option(names = "--labels", description = "Labels for a .npy embedding file: 1-D int .npy.")
    Path labels;

    @Option(names = "--names", description = "Item names for a .npy embedding file: one per line "
            + "(LFW style 'Person/Person_0001', extensions ignored).")
    Path names;

    @Option(names = "--pairs", description = "An LFW pairs.txt file: runs the verification protocol.")
    Path pairs;

    @Option(names = "--score", defaultValue = "COSINE",
            description = "Pair score: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}; L2 flips the comparison).")
    PairVerification.Score score;

    @Option(names = "--skip-missing", description = "Skip pairs whose images have no embedding "
            + "(they are counted in the report); without it a missing image is an error.")
    boolean skipMissing;

    @Option(names = "--retrieval", description = "Leave-one-out retrieval metrics (needs labels).")
    boolean retrieval;

    @Option(names = "--clustering", description = "k-means++ clustering with NMI and AMI (needs labels).")
    boolean clustering;

    /** --seed (of k-means++). */
    @picocli.CommandLine.Mixin SeedOption seed;

    /** --device (of the retrieval's k-NN search). */
    @picocli.CommandLine.Mixin DeviceOption deviceOption;

    /** --engine, --master, --partitions. */
    @picocli.CommandLine.Mixin EngineOptions engine;

    /** --ijb DIR and its options (IJB-B / IJB-C protocol). */
    @picocli.CommandLine.Mixin IjbOptions ijb;

    /** --bin FILE.bin with --embeddings or a model (InsightFace's verification sets); its model options serve --ijb too. */
    @picocli.CommandLine.Mixin VerificationBinOptions bin;

    @Override
    public Integer call() throws Exception {
        if (ijb.active()) {
            return ijb.run(spec, embeddings, bin.source, deviceOption.resolve(spec));
        }
        if (bin.given(spec)) {
            String others = pairs != null ? "--pairs" : retrieval ? "--retrieval" : clustering ? "--clustering"
                    : labels != null ? "--labels" : names != null ? "--names" : !engine.local() ? "--engine" : null;
            return bin.run(spec, embeddings, others, deviceOption.resolve(spec));
        }
        if (embeddings == null) {
            throw new ParameterException(spec.commandLine(), "missing --embeddings FILE (or give --bin FILE.bin or --ijb DIR)");
        }
        PrintWriter out = spec.commandLine().getOut();
        if (pairs == null && !retrieval && !clustering) {
            throw new ParameterException(spec.commandLine(),
                    "nothing to evaluate: give --pairs FILE, --retrieval and/or --clustering");
        }
        Device device = deviceOption.resolve(spec);
        engine.sparkConf(spec.commandLine());
        if (!engine.local()) {
            if (clustering || skipMissing || score != PairVerification.Score.COSINE) {
                throw new ParameterException(spec.commandLine(), "--engine " + engine.engine
                        + " evaluates --retrieval and --pairs with cosine scores (no --clustering, --skip-missing, --score)");
            }
            EvaluateResult result = DistributedEngine.find(engine.engine).evaluate(new EvaluateJob(engine.master,
                    embeddings, labels, names, pairs, retrieval, engine.partitions,
                    org.metric4j.engine.DeviceNames.of(device), engine.sparkConf(spec.commandLine())), out);
            out.println(result.toJson());
            out.flush();
            return 0;
        }
        EmbeddingSet set = load();
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("embeddings", set.size());
        json.put("dim", set.dim());
        out.printf(Locale.ROOT, "embeddings: %d x %d from %s%n", set.size(), set.dim(), embeddings);
        if (pairs != null) {
            PairsFile file = PairsFile.read(pairs);
            PairVerification.Result r = PairVerification.evaluate(set, file, score,
                    skipMissing ? PairVerification.Missing.SKIP : PairVerification.Missing.FAIL,
                    VerificationProtocol.builder().optFolds(file.folds()).build());
            VerificationProtocol.Report v = r.report();
            out.printf(Locale.ROOT, "verification: %d pairs in %d folds (%d skipped for missing embeddings)%n",
                    r.evaluatedPairs(), file.folds(), r.skippedPairs());
            out.printf(Locale.ROOT, "  accuracy %.4f +- %.4f, AUC %.4f, EER %.4f%n",
                    v.accuracyMean(), v.accuracyStd(), v.auc(), v.eer());
            v.tarAtFar().forEach((far, tar) -> out.printf(Locale.ROOT, "  TAR@FAR=%g: %.4f%n", far, tar));
            json.put("pairs", r.evaluatedPairs());
            json.put("skipped_pairs", r.skippedPairs());
            json.put("accuracy_mean", v.accuracyMean());
            json.put("accuracy_std", v.accuracyStd());
            json.put("fold_thresholds", v.foldThresholds());
            json.put("auc", v.auc());
            json.put("eer", v.eer());
            json.put("tar_at_far", v.tarAtFar());
        }
        if (retrieval || clustering) {
            long[] y = set.labels();
            if (y == null) {
                throw new ParameterException(spec.commandLine(),
                        "--retrieval and --clustering need labels: use a CSV with labels or --labels FILE.npy");
            }
            if (retrieval) {
                try (NDManager manager = NDManager.newBaseManager(device)) {
                    NDArray x = manager.create(set.floats(), new Shape(set.size(), set.dim()));
                    RetrievalMetrics.Report r = RetrievalMetrics.leaveOneOut(x, y, KnnSearch.builder().build());
                    out.printf(Locale.ROOT, "retrieval (leave-one-out, k=%d): P@1 %.4f, R-Precision %.4f, "
                                    + "MAP@R %.4f, MRR %.4f%n", r.k(), r.precisionAt1(), r.rPrecision(),
                            r.meanAveragePrecisionAtR(), r.meanReciprocalRank());
                    json.put("precision_at_1", r.precisionAt1());
                    json.put("r_precision", r.rPrecision());
                    json.put("map_at_r", r.meanAveragePrecisionAtR());
                    json.put("mean_reciprocal_rank", r.meanReciprocalRank());
                    json.put("recall_at_k", r.recallAtK());
                    json.put("skipped_queries", r.skippedQueries());
                }
            }
            if (clustering) {
                Clustering.Report c = Clustering.evaluate(unit(set), set.size(), set.dim(), y, seed.seed, 300);
                out.printf(Locale.ROOT, "clustering (k-means++ on unit vectors): NMI %.4f, AMI %.4f%n", c.nmi(), c.ami());
                json.put("nmi", c.nmi());
                json.put("ami", c.ami());
            }
        }
        out.println(new GsonBuilder().disableHtmlEscaping().create().toJson(json));
        out.flush();
        return 0;
    }

    private EmbeddingSet load() throws Exception {
        EmbeddingSet set;
        try {
            set = EmbeddingFiles.load("--embeddings", embeddings, labels, names);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        if (pairs != null && set.names() == null) {
            throw new ParameterException(spec.commandLine(),
                    "--pairs needs item names: use a CSV with names or --names FILE");
        }
        return set;
    }

    private static double[] unit(EmbeddingSet set) {
        double[] v = set.values();
        int d = set.dim();
        for (int i = 0; i < set.size(); i++) {
            double n = 0;
            for (int j = 0; j < d; j++) {
                n += v[i * d + j] * v[i * d + j];
            }
            n = Math.max(Math.sqrt(n), 1e-12);
            for (int j = 0; j < d; j++) {
                v[i * d + j] /= n;
            }
        }
        return v;
    }
}
