package org.metric4j.data;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * The meta files of IJB-B / IJB-C as InsightFace's {@code eval_ijbc.py} and {@code ijb_1n.py}
 * read them from {@code DIR/meta/}, found by suffix with the prefix {@code ijbc_} or {@code
 * ijbb_}:
 *
 * <ul>
 *   <li>{@code *_face_tid_mid.txt}: {@code image template_id media_id}, one line per image;
 *   <li>{@code *_name_5pts_score.txt}: {@code image x1 y1 ... x5 y5 faceness}, same images in the
 *       same order (faceness and landmarks as float32);
 *   <li>{@code *_template_pair_label.txt}: {@code t1 t2 label} (1 = same subject);
 *   <li>optional, for 1:N: {@code *_1N_gallery_G1.csv}, {@code *_1N_gallery_G2.csv} (IJB-B: {@code
 *       S1}, {@code S2}; {@code *_1N_gal_*} also accepted) and {@code *_1N_probe_mixed.csv}: a
 *       header line, then {@code TEMPLATE_ID,SUBJECT_ID[,...]}.
 * </ul>
 *
 * Lines are split on white space (commas for the CSVs). A malformed line is an {@link IOException}
 * naming the file and the line; a pair or 1:N list naming a template that has no images is one
 * too.
 *
 * @param target {@code IJBC} or {@code IJBB}
 * @param metaDir the folder of the files
 * @param images N image names
 * @param templates N template ids
 * @param medias N media ids
 * @param landmarks N x 10 landmarks (x1, y1, ..., x5, y5), row-major
 * @param faceness N faceness scores
 * @param pairT1 first template of each pair
 * @param pairT2 second template of each pair
 * @param pairLabels 1 = same subject, 0 = not
 * @param gallery1 the first 1:N gallery (G1 / S1), or null without 1:N files
 * @param gallery2 the second 1:N gallery (G2 / S2), or null
 * @param probes the 1:N mixed probes, or null
 */
public record IjbMeta(String target, Path metaDir, List<String> images, long[] templates, long[] medias,
        float[] landmarks, float[] faceness, long[] pairT1, long[] pairT2, int[] pairLabels,
        TemplateSubjects gallery1, TemplateSubjects gallery2, TemplateSubjects probes) {

    /** The targets and their file prefixes. */
    public static final List<String> TARGETS = List.of("IJBC", "IJBB");

    /**
     * A 1:N template list: one row per line of the CSV (a template may repeat).
     *
     * @param file the CSV
     * @param templates template ids
     * @param subjects subject ids
     */
    public record TemplateSubjects(Path file, long[] templates, long[] subjects) {}

    /** Whether the three 1:N lists are present. */
    public boolean hasIdentification() {
        return gallery1 != null && gallery2 != null && probes != null;
    }

    /** The number of images. */
    public int size() {
        return templates.length;
    }

    /**
     * Reads the meta files under {@code dir/meta} (or {@code dir} itself when it has no {@code meta}
     * folder).
     *
     * @param dir the IJB folder
     * @param target {@code IJBC}, {@code IJBB}, or null to detect it from the file names
     * @return the meta data
     * @throws IOException a missing or malformed file
     */
    public static IjbMeta read(Path dir, String target) throws IOException {
        Path meta = Files.isDirectory(dir.resolve("meta")) ? dir.resolve("meta") : dir;
        if (!Files.isDirectory(meta)) {
            throw new NoSuchFileException(dir.toString(), null, "not a folder with meta/");
        }
        String t = target == null ? detect(meta) : target.toUpperCase(Locale.ROOT);
        if (!TARGETS.contains(t)) {
            throw new IllegalArgumentException("target must be one of " + TARGETS + ", got " + target);
        }
        String prefix = t.toLowerCase(Locale.ROOT) + "_";
        Path media = required(meta, prefix, "face_tid_mid.txt");
        Path scores = required(meta, prefix, "name_5pts_score.txt");
        Path pairs = required(meta, prefix, "template_pair_label.txt");

        List<String[]> rows = rows(media, 3, false, " ");
        int n = rows.size();
        List<String> images = new ArrayList<>(n);
        long[] templates = new long[n];
        long[] medias = new long[n];
        for (int i = 0; i < n; i++) {
            String[] r = rows.get(i);
            images.add(r[0]);
            templates[i] = integer(media, i + 1, r[1], "template id");
            medias[i] = integer(media, i + 1, r[2], "media id");
        }
        List<String[]> lmk = rows(scores, 12, false, " ");
        if (lmk.size() != n) {
            throw new IOException(scores + ": " + lmk.size() + " lines, but " + media.getFileName() + " lists " + n
                    + " images");
        }
        float[] landmarks = new float[n * 10];
        float[] faceness = new float[n];
        for (int i = 0; i < n; i++) {
            String[] r = lmk.get(i);
            if (!r[0].equals(images.get(i))) {
                throw new IOException(scores + ":" + (i + 1) + ": image '" + r[0] + "', but line " + (i + 1) + " of "
                        + media.getFileName() + " is '" + images.get(i) + "' (the files must list the same images in "
                        + "the same order)");
            }
            for (int j = 0; j < 10; j++) {
                landmarks[i * 10 + j] = real(scores, i + 1, r[1 + j], "landmark");
            }
            faceness[i] = real(scores, i + 1, r[11], "faceness");
        }
        long[] known = Arrays.stream(templates).sorted().distinct().toArray();
        List<String[]> pr = rows(pairs, 3, false, " ");
        long[] t1 = new long[pr.size()];
        long[] t2 = new long[pr.size()];
        int[] labels = new int[pr.size()];
        for (int i = 0; i < pr.size(); i++) {
            String[] r = pr.get(i);
            t1[i] = template(pairs, i + 1, r[0], known, media);
            t2[i] = template(pairs, i + 1, r[1], known, media);
            long label = integer(pairs, i + 1, r[2], "label");
            if (label != 0 && label != 1) {
                throw new IOException(pairs + ":" + (i + 1) + ": label must be 0 or 1, got " + r[2]);
            }
            labels[i] = (int) label;
        }
        boolean ijbc = t.equals("IJBC");
        TemplateSubjects g1 = subjects(meta, prefix, ijbc ? "G1" : "S1", known, media);
        TemplateSubjects g2 = subjects(meta, prefix, ijbc ? "G2" : "S2", known, media);
        TemplateSubjects probes = subjects(meta, prefix, "probe_mixed", known, media);
        return new IjbMeta(t, meta, List.copyOf(images), templates, medias, landmarks, faceness, t1, t2, labels, g1,
                g2, probes);
    }

    private static String detect(Path meta) throws IOException {
        TreeSet<String> found = new TreeSet<>();
        try (Stream<Path> s = Files.list(meta)) {
            s.map(p -> p.getFileName().toString()).filter(f -> f.endsWith("_face_tid_mid.txt"))
                    .forEach(f -> found.add(f.substring(0, f.length() - "_face_tid_mid.txt".length())
                            .toUpperCase(Locale.ROOT)));
        }
        found.retainAll(TARGETS);
        if (found.size() != 1) {
            throw new IOException(meta + ": " + (found.isEmpty() ? "no ijbc_face_tid_mid.txt or ijbb_face_tid_mid.txt"
                    : "files of both " + found + ": name the target"));
        }
        return found.first();
    }

    private static Path required(Path meta, String prefix, String suffix) throws NoSuchFileException {
        Path p = meta.resolve(prefix + suffix);
        if (!Files.isRegularFile(p)) {
            throw new NoSuchFileException(p.toString(), null, "the IJB meta file " + prefix + suffix + " is missing");
        }
        return p;
    }

    private static TemplateSubjects subjects(Path meta, String prefix, String part, long[] known, Path media)
            throws IOException {
        List<String> names = part.equals("probe_mixed") ? List.of(prefix + "1N_probe_mixed.csv")
                : List.of(prefix + "1N_gallery_" + part + ".csv", prefix + "1N_gal_" + part + ".csv");
        for (String name : names) {
            Path p = meta.resolve(name);
            if (Files.isRegularFile(p)) {
                List<String[]> rows = rows(p, 2, true, ",");
                long[] t = new long[rows.size()];
                long[] s = new long[rows.size()];
                for (int i = 0; i < rows.size(); i++) {
                    t[i] = template(p, i + 2, rows.get(i)[0], known, media);
                    s[i] = integer(p, i + 2, rows.get(i)[1], "subject id");
                }
                return new TemplateSubjects(p, t, s);
            }
        }
        return null;
    }

    /** Non-blank lines split into at least (or, for white-space files, exactly) {@code fields} fields. */
    private static List<String[]> rows(Path file, int fields, boolean header, String sep) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        List<String[]> out = new ArrayList<>(lines.size());
        for (int i = header ? 1 : 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty()) {
                if (i == lines.size() - 1) {
                    continue;
                }
                throw new IOException(file + ":" + (i + 1) + ": empty line");
            }
            String[] f = sep.equals(",") ? line.split("\\s*,\\s*") : line.split("\\s+");
            boolean bad = sep.equals(",") ? f.length < fields : f.length != fields;
            if (bad) {
                throw new IOException(file + ":" + (i + 1) + ": expected " + (sep.equals(",") ? "at least " : "")
                        + fields + " fields, got " + f.length + ": '" + line + "'");
            }
            out.add(f);
        }
        return out;
    }

    private static long integer(Path file, int line, String s, String what) throws IOException {
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw new IOException(file + ":" + line + ": " + what + " must be an integer, got '" + s + "'");
        }
    }

    private static float real(Path file, int line, String s, String what) throws IOException {
        try {
            return Float.parseFloat(s);
        } catch (NumberFormatException e) {
            throw new IOException(file + ":" + line + ": " + what + " must be a number, got '" + s + "'");
        }
    }

    private static long template(Path file, int line, String s, long[] known, Path media) throws IOException {
        long id = integer(file, line, s, "template id");
        if (Arrays.binarySearch(known, id) < 0) {
            throw new IOException(file + ":" + line + ": template " + id + " has no images in "
                    + media.getFileName());
        }
        return id;
    }
}
