package org.metric4j.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.metric4j.data.RecordIoPacker;
import org.metric4j.data.RecordIoPacker.Layout;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code metric4j pack}: an MXNet RecordIO {@code train.rec} + {@code train.idx} (+ {@code
 * property} for rec_builder) from an image folder, in the layout of face2rec2, RecBuilder or im2rec
 * ({@link RecordIoPacker}). The files are written under temporary names beside the output and
 * moved into place at the end, so a failure leaves nothing half-written; existing outputs are kept
 * unless {@code --force}.
 */
@Command(name = "pack", mixinStandardHelpOptions = true,
        description = "Pack an image folder (one sub-directory per identity) into MXNet RecordIO "
                + "(.rec + .idx), image bytes stored as they are.",
        footer = {"", "Example: pack --images faces --output data/train.rec --layout face2rec2"})
final class PackCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--images", required = true, description = "The image folder: one sub-directory per identity.")
    Path images;

    @Option(names = "--output", required = true, description = "The .rec to write; the .idx (and property) go beside it.")
    Path output;

    @Option(names = "--list", description = "A .lst giving the images and their order: face2rec2's "
            + "aligned<TAB>path<TAB>label (face2rec2, rec_builder) or im2rec's key<TAB>label<TAB>path; "
            + "relative paths are looked up in --images, then its parent. Default: built from the folder.")
    Path list;

    @Option(names = "--layout", defaultValue = "face2rec2",
            description = "face2rec2 (MS1M layout), rec_builder or im2rec (default: ${DEFAULT-VALUE}).")
    String layout;

    @Option(names = "--force", description = "Replace existing output files.")
    boolean force;

    @Override
    public Integer call() throws Exception {
        Layout l = layout();
        if (!Files.isDirectory(images)) {
            throw new ParameterException(spec.commandLine(), "--images " + images
                    + ": not a directory, expected one sub-directory of images per identity");
        }
        if (list != null && !Files.isRegularFile(list)) {
            throw new ParameterException(spec.commandLine(), "--list " + list + ": file not found");
        }
        String name = output.getFileName().toString();
        if (!name.endsWith(".rec")) {
            throw new ParameterException(spec.commandLine(), "--output " + output + ": expected a name ending in .rec");
        }
        Path idx = output.resolveSibling(name.substring(0, name.length() - 4) + ".idx");
        Path property = l == Layout.REC_BUILDER ? output.resolveSibling("property") : null;
        List<Path> outputs = new ArrayList<>(List.of(output, idx));
        if (property != null) {
            outputs.add(property);
        }
        for (Path p : outputs) {
            if (Files.exists(p) && !force) {
                throw new ParameterException(spec.commandLine(), "--output: " + p + " exists; give --force to replace it");
            }
        }
        Path dir = output.toAbsolutePath().getParent();
        if (dir != null && !Files.isDirectory(dir)) {
            throw new ParameterException(spec.commandLine(), "--output " + output + ": directory " + dir + " not found");
        }
        List<RecordIoPacker.Entry> entries = list == null ? RecordIoPacker.listFolder(images, l)
                : RecordIoPacker.readList(list, images, l);
        long t0 = System.nanoTime();
        List<Path> temps = new ArrayList<>();
        try {
            for (Path p : outputs) {
                temps.add(Files.createTempFile(p.toAbsolutePath().getParent(), "." + p.getFileName() + ".", ".tmp"));
            }
            RecordIoPacker.Summary s = RecordIoPacker.write(entries, l, temps.get(0), temps.get(1),
                    property == null ? null : temps.get(2));
            for (int i = 0; i < outputs.size(); i++) {
                move(temps.get(i), outputs.get(i));
            }
            PrintWriter out = spec.commandLine().getOut();
            out.printf(Locale.ROOT, "packed %d images of %d identities (%d records, %s layout) into %s + %s in %.1f s%n",
                    s.images(), s.identities(), s.records(), l, output, idx.getFileName(),
                    (System.nanoTime() - t0) / 1e9);
            out.flush();
        } finally {
            for (Path t : temps) {
                Files.deleteIfExists(t);
            }
        }
        return 0;
    }

    private Layout layout() {
        for (Layout l : Layout.values()) {
            if (l.toString().equals(layout.toLowerCase(Locale.ROOT))) {
                return l;
            }
        }
        throw new ParameterException(spec.commandLine(), "--layout " + layout
                + ": unknown, expected face2rec2, rec_builder or im2rec");
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
