package org.metric4j.cli;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import javax.imageio.ImageIO;
import org.metric4j.data.ImageDecoder;
import org.metric4j.data.align.FaceAligner;
import org.metric4j.data.align.FaceLandmarks;
import org.metric4j.data.align.FaceTemplate;
import org.metric4j.data.align.LandmarksFile;
import org.metric4j.data.align.WarpAffine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code metric4j align}: InsightFace's {@code norm_crop} ({@link FaceAligner}) of every face of a
 * landmarks file ({@link LandmarksFile}: {@code relative/path x1 y1 ... x5 y5 [score]} a line),
 * written as PNG under {@code --output} at the image's relative path with the extension {@code
 * .png}. Everything is checked before the first crop is written: the file's lines, that every
 * image exists under {@code --images}, that no two lines write the same crop, and that no crop
 * exists yet (unless {@code --force}). Each crop is written beside its place and moved there.
 */
@Command(name = "align", mixinStandardHelpOptions = true,
        description = "Align faces by their 5 landmarks to ArcFace crops (InsightFace's norm_crop).",
        footer = {"", "Example: align --images ijbc/loose_crop --landmarks ijbc/meta/ijbc_name_5pts_score.txt"
                + " --output ijbc/aligned"})
final class AlignCommand implements Callable<Integer> {

    @Spec CommandSpec spec;

    @Option(names = "--images", required = true, description = "The folder the landmarks file's paths are relative to.")
    Path images;

    @Option(names = "--landmarks", required = true,
            description = "One face a line: relative/path x1 y1 ... x5 y5, optionally a faceness score.")
    Path landmarks;

    @Option(names = "--output", required = true, description = "The folder to write the crops to.")
    Path output;

    @Option(names = "--size", defaultValue = "" + FaceAligner.DEFAULT_SIZE,
            description = "Crop size in pixels, a multiple of 112 or 128 (default: ${DEFAULT-VALUE}).")
    int size;

    @Option(names = "--template", defaultValue = "ARCFACE",
            description = "Landmark template: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    FaceTemplate template;

    @Option(names = "--warp", defaultValue = "OPENCV",
            description = "OPENCV (cv2.warpAffine bit for bit) or FLOAT (double bilinear) (default: ${DEFAULT-VALUE}).")
    WarpAffine warp;

    @Option(names = "--force", description = "Overwrite existing crops.")
    boolean force;

    @Override
    public Integer call() throws Exception {
        if (!Files.isDirectory(images)) {
            throw new ParameterException(spec.commandLine(), "--images " + images + ": not a folder");
        }
        if (!Files.isRegularFile(landmarks)) {
            throw new ParameterException(spec.commandLine(), "--landmarks " + landmarks + ": no such file");
        }
        if (!template.supports(size)) {
            throw new ParameterException(spec.commandLine(), "--size " + size + ": expected "
                    + (template == FaceTemplate.EVAL_IJBC ? "112 for --template EVAL_IJBC"
                            : "a positive multiple of 112 or 128"));
        }
        FaceAligner aligner = FaceAligner.builder().optSize(size).optTemplate(template).optWarp(warp).build();
        List<FaceLandmarks> faces = LandmarksFile.read(landmarks);
        if (faces.isEmpty()) {
            throw new ParameterException(spec.commandLine(), "--landmarks " + landmarks + ": no faces in the file");
        }
        Path root = images.toAbsolutePath().normalize();
        List<Path[]> plan = new ArrayList<>();
        Map<Path, Integer> lineOf = new HashMap<>();
        for (FaceLandmarks f : faces) {
            String where = "--landmarks " + landmarks + ":" + f.line();
            Path src = root.resolve(f.path()).normalize();
            if (!src.startsWith(root) || Path.of(f.path()).isAbsolute()) {
                throw new ParameterException(spec.commandLine(), where + ": image " + f.path()
                        + " is not a path inside --images " + images);
            }
            if (!Files.isRegularFile(src)) {
                throw new ParameterException(spec.commandLine(), where + ": image " + f.path() + " not found under --images "
                        + images);
            }
            Path dst = output.resolve(png(root.relativize(src)));
            Integer before = lineOf.putIfAbsent(dst.toAbsolutePath().normalize(), f.line());
            if (before != null) {
                throw new ParameterException(spec.commandLine(), where + ": writes " + dst + " as line " + before
                        + " does (one face per image)");
            }
            if (Files.exists(dst) && !force) {
                throw new ParameterException(spec.commandLine(), "--output " + output + ": " + dst
                        + " exists; give --force to overwrite it");
            }
            plan.add(new Path[] {src, dst});
        }
        for (int i = 0; i < plan.size(); i++) {
            Path src = plan.get(i)[0];
            Path dst = plan.get(i)[1];
            BufferedImage crop = aligner.align(ImageDecoder.read(src), faces.get(i).landmarks());
            Path dir = dst.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, dst.getFileName().toString(), ".tmp");
            try {
                if (!ImageIO.write(crop, "png", tmp.toFile())) {
                    throw new IllegalStateException("no ImageIO PNG writer");
                }
                Files.move(tmp, dst, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(tmp);
            }
        }
        spec.commandLine().getOut().printf(Locale.ROOT, "aligned %d faces to %d x %d (template %s, warp %s) in %s%n",
                plan.size(), size, size, template, warp, output);
        spec.commandLine().getOut().flush();
        return 0;
    }

    /** {@code rel} with its extension replaced by {@code .png}. */
    private static Path png(Path rel) {
        String name = rel.getFileName().toString();
        int dot = name.lastIndexOf('.');
        String stem = dot > 0 ? name.substring(0, dot) : name;
        return rel.resolveSibling(stem + ".png");
    }
}
