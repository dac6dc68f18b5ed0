package org.metric4j.cli;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import com.google.gson.GsonBuilder;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
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
import org.metric4j.model.IjbImageFeatures;
import org.metric4j.model.PreprocessedEmbedder;
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
 * order or on a model's features of {@code DIR/loose_crop} ({@link IjbImageFeatures}: the script's
 * {@code get_image_feature}). Defaults are the script's: {@code --flip sum --norm-score
 * --detector-score}.
 */
final class IjbOptions {

    /** The images' folder under --ijb DIR, as the script names it ({@code img_path = '%s/loose_crop'}). */
    static final String LOOSE_CROP = "loose_crop";

    @Option(names = "--ijb", paramLabel = "DIR", description = "IJB-B / IJB-C folder with meta/ "
            + "(ijbc_face_tid_mid.txt, ijbc_template_pair_label.txt, ijbc_name_5pts_score.txt; ijbb_ for IJB-B): "
            + "runs InsightFace's eval_ijbc.py protocol on --embeddings, or on a model (--model, --torchscript, --onnx, "
            + "--backbone with --weights) embedding loose_crop/ aligned by the 5 landmarks, each crop with its mirror.")
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

    @Option(names = "--batch-size", defaultValue = "" + IjbImageFeatures.DEFAULT_BATCH, paramLabel = "N",
            description = "IJB with a model: aligned crops per forward pass, each pass followed by their mirrors "
                    + "(default: ${DEFAULT-VALUE}).")
    int batchSize = IjbImageFeatures.DEFAULT_BATCH;

    @Option(names = "--save-features", paramLabel = "FILE.npy", description = "IJB with a model: also write the N x 2D "
            + "image features [f(x) | f(flip(x))] (float32, meta order) for a later --embeddings run; an existing "
            + "file is refused.")
    Path saveFeatures;

    @Option(names = "--report", paramLabel = "DIR",
            description = "IJB: write report.html, the ROC on a log FAR axis (figures/roc.png, .svg), roc.csv and ijb.json.")
    Path report;

    /** Whether {@code --ijb} was given. */
    boolean active() {
        return dir != null;
    }

    /**
     * Runs the protocol on saved features or on the features of a model.
     *
     * @param spec the command
     * @param embeddings --embeddings, or null to embed {@code DIR/loose_crop} with the model
     * @param source the model options (of {@code evaluate --bin}, shared)
     * @param device where the model runs
     * @return the exit code
     */
    int run(CommandSpec spec, Path embeddings, ModelSource source, Device device) throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        int models = source.count() + (source.count() == 0 && source.backbone != null ? 1 : 0);
        if ((embeddings == null) == (models == 0)) {
            throw new ParameterException(spec.commandLine(), "--ijb needs --embeddings FILE.npy or a model (--model, "
                    + "--torchscript, --onnx, --backbone with --weights) to embed " + dir.resolve(LOOSE_CROP)
                    + ", got " + (embeddings == null ? "neither" : "both"));
        }
        if (embeddings != null && saveFeatures != null) {
            throw new ParameterException(spec.commandLine(), "--save-features " + saveFeatures + " saves the features "
                    + "of a model; with --embeddings " + embeddings + " there is nothing new to save");
        }
        if (batchSize < 1) {
            throw new ParameterException(spec.commandLine(), "--batch-size " + batchSize + ": expected an integer >= 1");
        }
        if (saveFeatures != null) {
            if (!saveFeatures.getFileName().toString().endsWith(".npy")) {
                throw new ParameterException(spec.commandLine(), "--save-features must name a .npy file, got "
                        + saveFeatures);
            }
            if (Files.exists(saveFeatures)) {
                throw new ParameterException(spec.commandLine(), "--save-features " + saveFeatures + " exists; "
                        + "remove it or name another file");
            }
        }
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
        float[] feats = embeddings == null ? embedImages(spec, meta, source, device, width)
                : features(spec, embeddings, meta, width);
        TemplatePooling.Builder poolingBuilder = TemplatePooling.builder().optFlip(flip);
        if (!normScore) {
            poolingBuilder.optWithoutNormScore();
        }
        if (!detectorScore) {
            poolingBuilder.optWithoutDetectorScore();
        }
        TemplatePooling pooling = poolingBuilder.build();
        TemplatePooling.Templates templates;
        try {
            templates = pooling.apply(feats, width[0], meta.faceness(), meta.templates(), meta.medias());
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), (embeddings != null ? "--embeddings " + embeddings
                    : "the model's features") + ": " + e.getMessage());
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
     * eval_ijbc.py's {@code get_image_feature}: every image of {@code DIR/loose_crop} aligned with its
     * landmarks and embedded with its mirror by the model ({@link IjbImageFeatures}), written to
     * --save-features when given.
     */
    private float[] embedImages(CommandSpec spec, IjbMeta meta, ModelSource source, Device device, int[] width)
            throws Exception {
        Path folder = dir.resolve(LOOSE_CROP);
        if (!Files.isDirectory(folder)) {
            throw new ParameterException(spec.commandLine(), "--ijb " + dir + ": no " + LOOSE_CROP + "/ folder (the "
                    + "images of " + meta.target().toLowerCase(Locale.ROOT) + "_name_5pts_score.txt, which a model embeds)");
        }
        String scores = meta.target().toLowerCase(Locale.ROOT) + "_name_5pts_score.txt";
        IjbImageFeatures extractor = new IjbImageFeatures(batchSize, IjbImageFeatures.DEFAULT_THREADS);
        IjbImageFeatures.Features f;
        try (PreprocessedEmbedder embedder = source.faceEmbedder(spec, device, false)) {
            spec.commandLine().getErr().println("ijb: embedding " + meta.size() + " images of " + folder + ", "
                    + extractor + ", preprocessing " + embedder.preprocessing() + "; rows [f(crop) | f(mirror(crop))]");
            spec.commandLine().getErr().flush();
            try {
                f = extractor.compute(folder, meta.images(), meta.landmarks(),
                        i -> meta.metaDir().resolve(scores) + ":" + (i + 1), embedder);
            } catch (java.nio.file.NoSuchFileException e) {
                throw new ParameterException(spec.commandLine(), "--ijb " + e.getFile() + ": " + e.getReason());
            } catch (IOException | IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), "--ijb " + e.getMessage());
            }
        }
        width[0] = f.width();
        if (saveFeatures != null) {
            save(f);
            spec.commandLine().getErr().println("ijb: features " + f.size() + " x " + f.width() + " written to "
                    + saveFeatures);
        }
        return f.values();
    }

    /** Writes the features to a temporary file beside --save-features, then moves it there. */
    private void save(IjbImageFeatures.Features f) throws IOException {
        Path target = saveFeatures.toAbsolutePath();
        Files.createDirectories(target.getParent());
        Path tmp = Files.createTempFile(target.getParent(), target.getFileName().toString(), ".tmp");
        try {
            double[] v = new double[f.values().length];
            for (int i = 0; i < v.length; i++) {
                v[i] = f.values()[i];
            }
            try (OutputStream o = new java.io.BufferedOutputStream(Files.newOutputStream(tmp))) {
                NpyFormat.write(o, v, f.size(), f.width(), DataType.FLOAT32);
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
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
