package org.metric4j.cli;

import com.google.gson.GsonBuilder;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.metric4j.data.IjbMeta;
import org.metric4j.eval.IjbIdentification;
import org.metric4j.eval.IjbVerification;
import org.metric4j.eval.TemplatePooling;
import org.metric4j.io.NpyFormat;
import org.metric4j.report.Charts;
import org.metric4j.report.HtmlReport;
import org.metric4j.report.PrettyTable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * {@code evaluate --ijb DIR}: the IJB-B / IJB-C protocol of InsightFace's {@code eval_ijbc.py}
 * (1:1 template verification, TAR at FAR 1e-6 .. 1e-1) and, when the 1:N lists are in {@code
 * meta/}, {@code ijb_1n.py}'s identification, on image features saved in the meta file's image
 * order. Defaults are the script's: {@code --flip sum --norm-score --detector-score}.
 */
final class IjbOptions {

    @Option(names = "--ijb", paramLabel = "DIR", description = "IJB-B / IJB-C folder with meta/ "
            + "(ijbc_face_tid_mid.txt, ijbc_template_pair_label.txt, ijbc_name_5pts_score.txt; ijbb_ for IJB-B): "
            + "runs InsightFace's eval_ijbc.py protocol on --embeddings.")
    Path dir;

    @Option(names = "--flip", defaultValue = "SUM", paramLabel = "MODE", description = "IJB image feature from rows "
            + "[f(x) | f(flip(x))]: none (first half), concat (whole row; also for N x D rows without a flipped "
            + "half), sum (halves added) (default: ${DEFAULT-VALUE}, the script's).")
    TemplatePooling.Flip flip = TemplatePooling.DEFAULT_FLIP;

    @Option(names = "--norm-score", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "IJB: keep each image feature's norm (--no-norm-score divides by it; default: ${DEFAULT-VALUE}).")
    boolean normScore = TemplatePooling.DEFAULT_NORM_SCORE;

    @Option(names = "--detector-score", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "IJB: weight each image by its faceness score (default: ${DEFAULT-VALUE}).")
    boolean detectorScore = TemplatePooling.DEFAULT_DETECTOR_SCORE;

    @Option(names = "--target", paramLabel = "IJBC|IJBB",
            description = "IJB set (default: detected from the meta file names).")
    String target;

    @Option(names = "--ijb-1n", negatable = true, description = "IJB 1:N identification (ijb_1n.py) on "
            + "*_1N_gallery_G1/G2.csv (IJB-B: S1/S2) and *_1N_probe_mixed.csv: --ijb-1n requires them, "
            + "--no-ijb-1n skips them (default: run when present).")
    Boolean identification;

    @Option(names = "--report", paramLabel = "DIR",
            description = "IJB: write report.html, the ROC on a log FAR axis (figures/roc.png, .svg), roc.csv and ijb.json.")
    Path report;

    /** Whether {@code --ijb} was given. */
    boolean active() {
        return dir != null;
    }

    /** Runs the protocol; {@code embeddings} may be null (then: not implemented yet). */
    int run(CommandSpec spec, Path embeddings) throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        if (target != null && !IjbMeta.TARGETS.contains(target.toUpperCase(Locale.ROOT))) {
            throw new ParameterException(spec.commandLine(),
                    "--target must be one of " + IjbMeta.TARGETS + ", got '" + target + "'");
        }
        IjbMeta meta = IjbMeta.read(dir, target);
        if (Boolean.TRUE.equals(identification) && !meta.hasIdentification()) {
            throw new ParameterException(spec.commandLine(), "--ijb-1n needs " + meta.metaDir() + "/"
                    + meta.target().toLowerCase(Locale.ROOT) + "_1N_gallery_" + (meta.target().equals("IJBC")
                            ? "G1" : "S1") + ".csv, its second gallery and the _1N_probe_mixed.csv; not all are there");
        }
        int[] width = new int[1];
        float[] feats = embeddings == null ? embedImages(spec, meta) : features(spec, embeddings, meta, width);
        TemplatePooling pooling = TemplatePooling.builder().optFlip(flip).optNormScore(normScore)
                .optDetectorScore(detectorScore).build();
        TemplatePooling.Templates templates;
        try {
            templates = pooling.apply(feats, width[0], meta.faceness(), meta.templates(), meta.medias());
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--embeddings " + embeddings + ": " + e.getMessage());
        }
        double[] scores = IjbVerification.scores(templates, meta.pairT1(), meta.pairT2());
        IjbVerification.Report r = IjbVerification.evaluate(scores, meta.pairLabels(), IjbVerification.DEFAULT_FARS);
        int genuine = Arrays.stream(meta.pairLabels()).sum();
        String method = meta.target().toLowerCase(Locale.ROOT);
        List<String> row = r.tableRow(method, meta.target());
        List<String> headers = new ArrayList<>(List.of("Methods"));
        for (double f : IjbVerification.DEFAULT_FARS) {
            headers.add(pythonStr(f));
        }

        out.printf(Locale.ROOT, "ijb: %s, %d images, %d templates, %d pairs (%d genuine), features %d x %d, %s [%s]%n",
                meta.target(), meta.size(), templates.size(), scores.length, genuine, meta.size(), width[0], pooling,
                pooling.key());
        PrettyTable.render(headers, List.of(row)).forEach(out::println);
        out.println(String.join(" ", row));
        out.printf(Locale.ROOT, "AUC %.6f%n", r.auc());

        Map<String, Object> json = new LinkedHashMap<>();
        json.put("ijb", dir.toString());
        json.put("target", meta.target());
        json.put("config", pooling.key());
        json.put("flip", flip.name().toLowerCase(Locale.ROOT));
        json.put("norm_score", normScore);
        json.put("detector_score", detectorScore);
        json.put("images", meta.size());
        json.put("feature_width", width[0]);
        json.put("templates", templates.size());
        json.put("pairs", scores.length);
        json.put("genuine_pairs", genuine);
        json.put("auc", r.auc());
        json.put("far", r.fars());
        json.put("tar", r.tar());
        json.put("tar_percent", r.tarPercent());
        json.put("fpr_at_far", r.fpr());
        json.put("table_row", row);

        IjbIdentification.Report id = null;
        if (meta.hasIdentification() && !Boolean.FALSE.equals(identification)) {
            id = identify(meta, templates);
            out.printf(Locale.ROOT, "1:N: %d probe templates, %d gallery templates: top1 %.4f, top5 %.4f, top10 %.4f%n",
                    id.probes(), id.gallery(), id.top1(), id.top5(), id.top10());
            for (int k = 0; k < id.fars().length; k++) {
                out.printf(Locale.ROOT, "  TPIR at FAR %s: %.4f (threshold %.6f)%n", id.fars()[k], id.tpir()[k],
                        id.thresholds()[k]);
            }
            Map<String, Object> n = new LinkedHashMap<>();
            n.put("probes", id.probes());
            n.put("gallery", id.gallery());
            n.put("top1", id.top1());
            n.put("top5", id.top5());
            n.put("top10", id.top10());
            n.put("far", id.fars());
            n.put("tpir", id.tpir());
            n.put("threshold", id.thresholds());
            json.put("identification", n);
        }
        String line = new GsonBuilder().disableHtmlEscaping().serializeSpecialFloatingPointValues().create().toJson(json);
        if (report != null) {
            writeReport(meta, pooling, r, headers, row, line);
            out.println("report: " + report.resolve("report.html"));
        }
        out.println(line);
        out.flush();
        return 0;
    }

    /** Python's {@code str} of a power of ten: {@code 1e-05}, {@code 0.0001}. */
    static String pythonStr(double x) {
        return x < 1e-4 ? String.format(Locale.ROOT, "%.0e", x) : java.math.BigDecimal.valueOf(x).stripTrailingZeros().toPlainString();
    }

    /**
     * The hook for embedding the loose crops of {@code DIR/loose_crop} with a model (aligned by
     * the 5 landmarks of the meta file): not implemented yet.
     */
    private static float[] embedImages(CommandSpec spec, IjbMeta meta) {
        throw new ParameterException(spec.commandLine(), "--ijb without --embeddings: embedding the IJB images with a "
                + "model is not implemented yet; give --embeddings FILE.npy (" + meta.size() + " rows in the order of "
                + meta.target().toLowerCase(Locale.ROOT) + "_face_tid_mid.txt, N x D or N x 2D)");
    }

    private static float[] features(CommandSpec spec, Path file, IjbMeta meta, int[] width) throws IOException {
        if (!file.getFileName().toString().endsWith(".npy")) {
            throw new ParameterException(spec.commandLine(), "--ijb needs --embeddings as an N x D or N x 2D .npy, got "
                    + file);
        }
        NpyFormat.Header h = NpyFormat.readHeader(file);
        if (h.shape().length != 2) {
            throw new ParameterException(spec.commandLine(), "--embeddings " + file + ": expected a 2-D array (images x "
                    + "features), got shape " + Arrays.toString(h.shape()));
        }
        if (h.shape()[0] != meta.size()) {
            throw new ParameterException(spec.commandLine(), "--embeddings " + file + ": " + h.shape()[0]
                    + " rows, but " + meta.target().toLowerCase(Locale.ROOT) + "_face_tid_mid.txt lists " + meta.size()
                    + " images (one row per image, in its order)");
        }
        double[] v = NpyFormat.readRows(file, h, 0, meta.size());
        float[] f = new float[v.length];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) v[i];
        }
        width[0] = (int) h.shape()[1];
        return f;
    }

    /** ijb_1n.py: gallery = G1 + G2, probes = the mixed list; unique templates, subject of the first row. */
    private static IjbIdentification.Report identify(IjbMeta meta, TemplatePooling.Templates templates) {
        Map<Long, Long> gallery = new TreeMap<>();
        for (IjbMeta.TemplateSubjects g : List.of(meta.gallery1(), meta.gallery2())) {
            for (int i = 0; i < g.templates().length; i++) {
                gallery.putIfAbsent(g.templates()[i], g.subjects()[i]);
            }
        }
        Map<Long, Long> probes = new TreeMap<>();
        IjbMeta.TemplateSubjects p = meta.probes();
        for (int i = 0; i < p.templates().length; i++) {
            probes.putIfAbsent(p.templates()[i], p.subjects()[i]);
        }
        long[] gt = gallery.keySet().stream().mapToLong(Long::longValue).toArray();
        long[] gs = gallery.values().stream().mapToLong(Long::longValue).toArray();
        long[] pt = probes.keySet().stream().mapToLong(Long::longValue).toArray();
        long[] ps = probes.values().stream().mapToLong(Long::longValue).toArray();
        return IjbIdentification.evaluate(templates.rows(pt, p.file().getFileName().toString()), ps,
                templates.rows(gt, "the 1:N gallery"), gs, templates.dim(), IjbIdentification.DEFAULT_FARS);
    }

    private void writeReport(IjbMeta meta, TemplatePooling pooling, IjbVerification.Report r, List<String> headers,
            List<String> row, String json) throws IOException {
        Files.createDirectories(report);
        HtmlReport page = new HtmlReport("metric4j: " + meta.target() + " 1:1 verification");
        page.paragraph(String.format(Locale.ROOT, "%s, %d pairs, %s [%s], AUC %.6f", meta.target(),
                r.scores().length, pooling, pooling.key(), r.auc()));
        page.figure("roc", Charts.roc("ROC on " + meta.target(), Map.of(meta.target(), r.roc()),
                IjbVerification.DEFAULT_FARS[0]), "TAR against FAR (log axis), as eval_ijbc.py plots it");
        page.table(headers, List.of(new ArrayList<>(row)));
        page.definitions(Map.of("TAR@FAR", "the TPR of the ROC point whose FPR is nearest to the FAR "
                + "(eval_ijbc.py's rule; ties to the largest TPR)"));
        page.write(report);
        StringBuilder csv = new StringBuilder("fpr,tpr,threshold\n");
        double[] f = r.roc().fpr();
        double[] t = r.roc().tpr();
        double[] th = r.roc().thresholds();
        for (int i = 0; i < f.length; i++) {
            csv.append(f[i]).append(',').append(t[i]).append(',').append(th[i]).append('\n');
        }
        Files.writeString(report.resolve("roc.csv"), csv, StandardCharsets.UTF_8);
        Files.writeString(report.resolve("ijb.json"), json + "\n", StandardCharsets.UTF_8);
    }
}
