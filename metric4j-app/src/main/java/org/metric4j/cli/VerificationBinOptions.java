package org.metric4j.cli;

import ai.djl.Device;
import com.google.gson.GsonBuilder;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.metric4j.data.VerificationBin;
import org.metric4j.eval.EmbeddingSet;
import org.metric4j.eval.InsightFaceVerification;
import org.metric4j.io.EmbeddingFiles;
import org.metric4j.model.PreprocessedEmbedder;
import org.metric4j.train.BinVerificationEvaluator;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * {@code evaluate --bin FILE.bin}: InsightFace's verification sets (lfw.bin, cfp_fp.bin,
 * agedb_30.bin) evaluated as {@code eval/verification.py} does ({@link InsightFaceVerification}), on
 * {@code --embeddings} (row i the embedding of image i of the one .bin) or on a model ({@link
 * ModelSource}: the flip-sum of each image and its mirror, XNorm of the raw outputs). Prints a line
 * per set and, last, one JSON line with every number.
 */
final class VerificationBinOptions {

    @Option(names = "--bin", paramLabel = "FILE.bin", description = "An InsightFace verification set (lfw.bin, "
            + "cfp_fp.bin, agedb_30.bin ...; repeatable with a model): InsightFace's evaluate() (10 folds, accuracy, "
            + "VAL@FAR=1e-3, XNorm) on --embeddings (row i = image i) or on --model, --torchscript, --onnx or "
            + "--backbone with --weights.")
    List<Path> bins;

    /** Images per forward pass (embed's default; InsightFace's 10 is slower here and gives the same numbers). */
    static final int BATCH = 64;

    /** --model, --torchscript, --onnx, --backbone, --weights, --weights-key (also used by --ijb). */
    @Mixin ModelSource source;

    /** Whether --bin was given; a model option without it is refused (it only serves --bin here). */
    boolean given(CommandSpec spec) {
        boolean given = bins != null && !bins.isEmpty();
        if (!given && (source.count() > 0 || source.backbone != null)) {
            throw new ParameterException(spec.commandLine(), "--model, --torchscript, --onnx and --backbone/--weights "
                    + "evaluate InsightFace's .bin sets: give --bin FILE.bin (saved embeddings go to --embeddings)");
        }
        return given;
    }

    /**
     * Evaluates the sets.
     *
     * @param spec the command
     * @param embeddings --embeddings, or null for a model
     * @param otherModes the other modes of the command that were asked for (refused with --bin), or null
     * @param device where a model runs
     * @return the exit code
     */
    int run(CommandSpec spec, Path embeddings, String otherModes, Device device) throws Exception {
        if (otherModes != null) {
            throw new ParameterException(spec.commandLine(), "--bin evaluates InsightFace's .bin sets alone; drop "
                    + otherModes);
        }
        int models = source.count();
        if ((embeddings == null) == (models == 0)) {
            throw new ParameterException(spec.commandLine(), "--bin needs --embeddings FILE.npy or a model (--model, "
                    + "--torchscript, --onnx, --backbone with --weights), got " + (embeddings == null ? "neither" : "both"));
        }
        if (embeddings != null && bins.size() != 1) {
            throw new ParameterException(spec.commandLine(), "--embeddings " + embeddings + " holds the images of one "
                    + "--bin, got " + bins.size() + " --bin files (evaluate several with a model)");
        }
        List<VerificationBin> sets = new ArrayList<>();
        for (Path p : bins) {
            if (!Files.isRegularFile(p)) {
                throw new ParameterException(spec.commandLine(), "--bin " + p + ": no such file");
            }
            VerificationBin set;
            try {
                set = VerificationBin.read(p);
            } catch (IOException e) {
                throw new ParameterException(spec.commandLine(), "--bin " + e.getMessage());
            }
            for (VerificationBin s : sets) {
                if (s.name().equals(set.name())) {
                    throw new ParameterException(spec.commandLine(), "--bin " + p + ": a set named '" + set.name()
                            + "' is already given (" + s.file() + ")");
                }
            }
            sets.add(set);
        }
        List<BinVerificationEvaluator.Result> results = new ArrayList<>();
        InsightFaceVerification protocol = InsightFaceVerification.builder().build();
        String from;
        if (embeddings != null) {
            VerificationBin set = sets.get(0);
            EmbeddingSet e;
            try {
                e = EmbeddingFiles.load("--embeddings", embeddings, null, null);
            } catch (IllegalArgumentException ex) {
                throw new ParameterException(spec.commandLine(), ex.getMessage());
            }
            if (e.size() != set.size()) {
                throw new ParameterException(spec.commandLine(), "--embeddings " + embeddings + " has " + e.size()
                        + " rows but --bin " + set.file() + " has " + set.size() + " images (row i must be image i)");
            }
            double xnorm = InsightFaceVerification.xnorm(e.values(), e.dim());
            results.add(new BinVerificationEvaluator.Result(set.name(), set.size(),
                    protocol.evaluate(e, set.issame()), xnorm));
            from = embeddings.toString();
        } else {
            BinVerificationEvaluator evaluator = new BinVerificationEvaluator(sets, protocol, BATCH);
            try (PreprocessedEmbedder embedder = source.faceEmbedder(spec, device, false)) {
                spec.commandLine().getErr().println("preprocessing: " + embedder.preprocessing()
                        + ", each image and its mirror (flip-sum)");
                spec.commandLine().getErr().flush();
                results.addAll(evaluator.evaluate(embedder));
            }
            from = source.model != null ? source.model.toString() : source.importedFile().toString();
        }
        print(spec.commandLine().getOut(), results, from);
        return 0;
    }

    private static void print(PrintWriter out, List<BinVerificationEvaluator.Result> results, String from) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("source", from);
        Map<String, Object> all = new LinkedHashMap<>();
        for (BinVerificationEvaluator.Result r : results) {
            InsightFaceVerification.Report v = r.report();
            double meanThreshold = 0;
            for (double t : v.bestThresholds()) {
                meanThreshold += t;
            }
            meanThreshold /= v.bestThresholds().length;
            out.printf(Locale.ROOT, "%s: accuracy %.5f +- %.5f, best threshold %.3f (mean of %d folds), "
                            + "VAL@FAR=1e-3 %.5f +- %.5f (FAR %.5f), XNorm %.6f (%d pairs)%n", r.set(), v.accuracyMean(),
                    v.accuracyStd(), meanThreshold, v.accuracy().length, v.val(), v.valStd(), v.far(), r.xnorm(),
                    v.testFolds()[v.testFolds().length - 1][1]);
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("images", r.images());
            s.put("pairs", v.testFolds()[v.testFolds().length - 1][1]);
            s.put("accuracy_mean", v.accuracyMean());
            s.put("accuracy_std", v.accuracyStd());
            s.put("accuracy", v.accuracy());
            s.put("best_thresholds", v.bestThresholds());
            s.put("val", v.val());
            s.put("val_std", v.valStd());
            s.put("far", v.far());
            s.put("val_thresholds", v.valThresholds());
            s.put("xnorm", r.xnorm());
            s.put("tpr", v.tpr());
            s.put("fpr", v.fpr());
            all.put(r.set(), s);
        }
        json.put("sets", all);
        out.println(new GsonBuilder().disableHtmlEscaping().serializeSpecialFloatingPointValues().create().toJson(json));
        out.flush();
    }
}
