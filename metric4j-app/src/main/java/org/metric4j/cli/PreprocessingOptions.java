package org.metric4j.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.metric4j.model.ChosenPreprocessing;
import org.metric4j.model.Preprocessing;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * The preprocessing of an imported model ({@code --torchscript}, {@code --onnx}): a command's
 * default (InsightFace's for TorchScript, InsightFace's rule for ONNX), then {@value
 * Preprocessing#FILE_NAME} beside the model file when present, then these options, each
 * overriding the one before. Bad values are one line naming the option, the value and the
 * expectation (exit code 2).
 */
final class PreprocessingOptions {

    @Option(names = "--size", paramLabel = "N|WxH",
            description = "Model input size: N (N x N) or WxH (default: the model's or 112).")
    String size;

    @Option(names = "--mean", paramLabel = "V|R,G,B",
            description = "Per-channel mean subtracted from 0..255 pixels: one value or three, comma-separated.")
    String mean;

    @Option(names = "--std", paramLabel = "V|R,G,B",
            description = "Per-channel divisor after the mean: one value or three, comma-separated, > 0.")
    String std;

    @Option(names = "--bgr", negatable = true, description = "Feed channels as BGR (--no-bgr: RGB).")
    Boolean bgr;

    @Option(names = "--nhwc", negatable = true, description = "Input layout N x H x W x 3 (--no-nhwc: N x 3 x H x W).")
    Boolean nhwc;

    @Option(names = "--flip-sum", negatable = true,
            description = "InsightFace's flip-sum embedding, L2-normalize(embed(x) + embed(flip(x))).")
    Boolean flipSum;

    @Option(names = "--center-crop", negatable = true,
            description = "Crop the centre to the model's aspect ratio before resizing (--no-center-crop: resize only).")
    Boolean centerCrop;

    /**
     * The preprocessing for a model file.
     *
     * @param spec the command (for errors)
     * @param base the command's default and its reason
     * @param model the model file; {@value Preprocessing#FILE_NAME} in its folder is read when present
     * @return the preprocessing and where each part came from
     */
    ChosenPreprocessing resolve(CommandSpec spec, ChosenPreprocessing base, Path model) throws IOException {
        Preprocessing p = base.preprocessing();
        StringBuilder source = new StringBuilder(base.source());
        Path dir = model.toAbsolutePath().getParent();
        Path file = dir == null ? null : dir.resolve(Preprocessing.FILE_NAME);
        if (file != null && Files.isRegularFile(file)) {
            p = p.overlay(Files.readString(file, StandardCharsets.UTF_8), file.toString());
            source.append("; ").append(file);
        }
        List<String> given = new ArrayList<>();
        if (size != null) {
            int[] wh = size(spec);
            p = p.withSize(wh[0], wh[1]);
            given.add("--size");
        }
        if (mean != null || std != null) {
            p = p.withNormalization(mean == null ? p.mean() : values(spec, "--mean", mean, false),
                    std == null ? p.std() : values(spec, "--std", std, true));
            given.add(mean != null && std != null ? "--mean --std" : mean != null ? "--mean" : "--std");
        }
        if (bgr != null || nhwc != null || flipSum != null || centerCrop != null) {
            p = p.with(centerCrop == null ? p.fit() : centerCrop ? Preprocessing.Fit.CENTER_CROP : Preprocessing.Fit.RESIZE,
                    bgr == null ? p.channels() : bgr ? Preprocessing.ChannelOrder.BGR : Preprocessing.ChannelOrder.RGB,
                    nhwc == null ? p.layout() : nhwc ? Preprocessing.Layout.NHWC : Preprocessing.Layout.NCHW,
                    flipSum == null ? p.flipSum() : flipSum);
            for (Object[] o : new Object[][] {{"--bgr", bgr}, {"--nhwc", nhwc}, {"--flip-sum", flipSum},
                    {"--center-crop", centerCrop}}) {
                if (o[1] != null) {
                    given.add((Boolean) o[1] ? (String) o[0] : "--no-" + ((String) o[0]).substring(2));
                }
            }
        }
        if (!given.isEmpty()) {
            source.append("; ").append(String.join(" ", given)).append(" from the command line");
        }
        return new ChosenPreprocessing(p, source.toString());
    }

    private int[] size(CommandSpec spec) {
        String s = size.trim().toLowerCase(Locale.ROOT);
        try {
            int x = s.indexOf('x');
            int w = Integer.parseInt(x < 0 ? s : s.substring(0, x));
            int h = x < 0 ? w : Integer.parseInt(s.substring(x + 1));
            if (w >= 1 && h >= 1 && w <= 16384 && h <= 16384) {
                return new int[] {w, h};
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new ParameterException(spec.commandLine(), "--size " + size
                + ": expected N or WxH, integers in [1, 16384] (e.g. 112 or 112x96)");
    }

    private static float[] values(CommandSpec spec, String option, String text, boolean positive) {
        String[] parts = text.split(",", -1);
        String expected = ": expected one value or three comma-separated values (R,G,B), finite"
                + (positive ? " and > 0" : "");
        if (parts.length != 1 && parts.length != 3) {
            throw new ParameterException(spec.commandLine(), option + " " + text + expected);
        }
        float[] v = new float[parts.length];
        for (int i = 0; i < v.length; i++) {
            try {
                v[i] = Float.parseFloat(parts[i].trim());
            } catch (NumberFormatException e) {
                throw new ParameterException(spec.commandLine(), option + " " + text + expected);
            }
            if (!Float.isFinite(v[i]) || (positive && !(v[i] > 0))) {
                throw new ParameterException(spec.commandLine(), option + " " + text + expected);
            }
        }
        return v;
    }
}
