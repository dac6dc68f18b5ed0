package org.metric4j.data;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Packs an image folder (one sub-directory per identity) into {@code train.rec} + {@code train.idx}
 * in the record order, keys, flags, labels, header and identity records of one of the three
 * writers InsightFace data is made with (insightface/README.md section 2). Image bytes are stored
 * as the files' bytes (face2rec2's aligned path, im2rec's {@code --pass-through}), never
 * re-encoded.
 */
public final class RecordIoPacker {

    /** The writer whose file layout is reproduced. */
    public enum Layout {
        /**
         * InsightFace recognition/tools/face2rec2.py: images keys 1..N, flag 2, label {@code [class,
         * 1]} (its {@code [label, aligned]}); then key 0 with {@code [N+1, N+1+K]}; then one record
         * per identity (key N+1+k, {@code [first key, last key + 1]}), empty image. The MS1M layout.
         */
        FACE2REC2,
        /**
         * InsightFace arcface_mxnet/common/rec_builder.py {@code RecBuilder}: images keys 1..N with a
         * scalar label; the identity records; key 0 last, with {@code id2 = 1}; a {@code property}
         * file {@code num_classes,112,112}.
         */
        REC_BUILDER,
        /**
         * MXNet tools/im2rec.py {@code --list --recursive} then {@code --pass-through}: files walked
         * in sorted order, the list shuffled with {@code random.seed(100)}, keys the indices before
         * the shuffle, records in shuffled order, scalar labels, no header record.
         */
        IM2REC;

        /** The name on the command line ({@code face2rec2}, {@code rec_builder}, {@code im2rec}). */
        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** im2rec's default {@code --exts}. */
    public static final List<String> EXTENSIONS = List.of(".jpeg", ".jpg", ".png");

    /** im2rec's shuffle seed. */
    public static final int IM2REC_SEED = 100;

    /**
     * One image to pack.
     *
     * @param key the record key (im2rec's list index; face2rec2 and RecBuilder number images 1..N in
     *     list order and ignore it)
     * @param label the class
     * @param image the image file
     */
    public record Entry(long key, int label, Path image) {}

    /** What {@link #write} wrote. */
    public record Summary(int images, int identities, int records) {}

    private RecordIoPacker() {}

    /**
     * The list of {@code root} as the layout's tool makes it. face2rec2, RecBuilder (whose tools
     * take a list): identity directories and their files in natural order (runs of digits compared
     * as numbers, so {@code 0_8.jpg} before {@code 0_10.jpg}), the class the identity's rank. im2rec: {@code
     * list_image(recursive=True)} (os.walk, directories and files sorted, a class per directory
     * holding images, in walk order), then {@code random.seed(100); random.shuffle}.
     *
     * @throws IOException if the folder does not read or holds no image
     */
    public static List<Entry> listFolder(Path root, Layout layout) throws IOException {
        if (!Files.isDirectory(root)) {
            throw new IOException(root + ": image folder not found, expected a directory with one "
                    + "sub-directory of images per identity");
        }
        List<Entry> entries = new ArrayList<>();
        if (layout == Layout.IM2REC) {
            Map<Path, Integer> classes = new LinkedHashMap<>();
            walk(root, root, entries, classes);
            new PythonRandom(IM2REC_SEED).shuffle(entries);
        } else {
            int label = 0;
            for (Path dir : natural(sorted(root))) {
                if (!Files.isDirectory(dir)) {
                    continue;
                }
                boolean any = false;
                for (Path f : natural(sorted(dir))) {
                    if (isImage(f)) {
                        entries.add(new Entry(entries.size() + 1, label, f));
                        any = true;
                    }
                }
                if (any) {
                    label++;
                }
            }
        }
        if (entries.isEmpty()) {
            throw new IOException(root + ": no images (" + String.join(", ", EXTENSIONS)
                    + ") found, expected one sub-directory of images per identity");
        }
        return entries;
    }

    private static void walk(Path root, Path dir, List<Entry> out, Map<Path, Integer> classes) throws IOException {
        List<Path> children = sorted(dir);
        for (Path f : children) {
            if (isImage(f)) {
                int c = classes.computeIfAbsent(dir, d -> classes.size());
                out.add(new Entry(out.size(), c, f));
            }
        }
        for (Path d : children) {
            if (Files.isDirectory(d)) {
                walk(root, d, out, classes);
            }
        }
    }

    private static boolean isImage(Path f) {
        String n = f.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return dot > 0 && EXTENSIONS.contains(n.substring(dot).toLowerCase(Locale.ROOT)) && Files.isRegularFile(f);
    }

    private static List<Path> sorted(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted((a, b) -> a.getFileName().toString().compareTo(b.getFileName().toString())).toList();
        }
    }

    private static List<Path> natural(List<Path> paths) {
        List<Path> out = new ArrayList<>(paths);
        out.sort((a, b) -> naturalCompare(a.getFileName().toString(), b.getFileName().toString()));
        return out;
    }

    /** Compares runs of digits by value (then by length), everything else by code unit. */
    static int naturalCompare(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            char ca = a.charAt(i);
            char cb = b.charAt(j);
            if (Character.isDigit(ca) && Character.isDigit(cb)) {
                int ei = i;
                while (ei < a.length() && Character.isDigit(a.charAt(ei))) {
                    ei++;
                }
                int ej = j;
                while (ej < b.length() && Character.isDigit(b.charAt(ej))) {
                    ej++;
                }
                String da = a.substring(i, ei).replaceFirst("^0+(?=.)", "");
                String db = b.substring(j, ej).replaceFirst("^0+(?=.)", "");
                int c = da.length() != db.length() ? Integer.compare(da.length(), db.length()) : da.compareTo(db);
                if (c != 0) {
                    return c;
                }
                c = Integer.compare(ei - i, ej - j);
                if (c != 0) {
                    return c;
                }
                i = ei;
                j = ej;
            } else {
                if (ca != cb) {
                    return Character.compare(ca, cb);
                }
                i++;
                j++;
            }
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }

    /**
     * Reads a {@code .lst}. face2rec2 and RecBuilder: face2rec2's {@code aligned<TAB>path<TAB>label}
     * (aligned must be 1: face alignment from landmarks is not done here). im2rec: {@code
     * key<TAB>label<TAB>path}. A relative path is looked up in {@code images}, then in its parent.
     *
     * @throws IOException naming the file and line of a malformed line or a missing image
     */
    public static List<Entry> readList(Path lst, Path images, Layout layout) throws IOException {
        if (!Files.isRegularFile(lst)) {
            throw new IOException(lst + ": list file not found");
        }
        List<String> lines = Files.readAllLines(lst, StandardCharsets.UTF_8);
        List<Entry> entries = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty()) {
                continue;
            }
            String where = lst + ":" + (i + 1);
            String[] f = line.split("\t");
            String path;
            long key;
            int label;
            try {
                if (layout == Layout.IM2REC) {
                    if (f.length != 3) {
                        throw new IOException(where + ": found " + f.length + " fields, expected key<TAB>label<TAB>path");
                    }
                    key = Long.parseLong(f[0].strip());
                    label = integer(Float.parseFloat(f[1].strip()), where);
                    path = f[2];
                } else {
                    if (f.length < 3) {
                        throw new IOException(where + ": found " + f.length + " fields, expected aligned<TAB>path<TAB>label");
                    }
                    if (!f[0].strip().equals("1")) {
                        throw new IOException(where + ": aligned is '" + f[0] + "', expected 1 (aligned images; "
                                + "align faces from landmarks first)");
                    }
                    key = entries.size() + 1;
                    label = Integer.parseInt(f[2].strip());
                    path = f[1];
                }
            } catch (NumberFormatException e) {
                throw new IOException(where + ": found '" + line + "', expected numbers in the key and label fields", e);
            }
            if (label < 0) {
                throw new IOException(where + ": label " + label + ", expected a non-negative class");
            }
            entries.add(new Entry(key, label, resolve(images, path, where)));
        }
        if (entries.isEmpty()) {
            throw new IOException(lst + ": no entries, expected one line per image");
        }
        return entries;
    }

    private static int integer(float v, String where) throws IOException {
        if (v != Math.rint(v)) {
            throw new IOException(where + ": label " + v + ", expected an integer class");
        }
        return (int) v;
    }

    private static Path resolve(Path images, String path, String where) throws IOException {
        Path p = Path.of(path);
        if (p.isAbsolute()) {
            if (Files.isRegularFile(p)) {
                return p;
            }
        } else {
            for (Path base : new Path[] {images, images.toAbsolutePath().getParent()}) {
                if (base != null && Files.isRegularFile(base.resolve(p))) {
                    return base.resolve(p);
                }
            }
        }
        throw new IOException(where + ": image " + path + " not found"
                + (p.isAbsolute() ? "" : " in " + images + " or its parent"));
    }

    /**
     * Writes the entries in the layout to {@code rec} and {@code idx} (and {@code property} for
     * RecBuilder; ignored, may be null, otherwise).
     *
     * @throws IOException if an image does not read or a file does not write; RecBuilder also
     *     needs every identity's images together, classes increasing
     */
    public static Summary write(List<Entry> entries, Layout layout, Path rec, Path idx, Path property)
            throws IOException {
        try (RecordIoWriter w = RecordIoWriter.create(rec, idx)) {
            if (layout == Layout.IM2REC) {
                for (Entry e : entries) {
                    w.write(e.key(), RecordIoItem.scalar(e.label(), e.key(), 0, read(e.image())));
                }
                return new Summary(entries.size(), (int) entries.stream().mapToInt(Entry::label).distinct().count(),
                        entries.size());
            }
            List<long[]> identities = new ArrayList<>();
            int maxLabel = -1;
            long key = 1;
            for (Entry e : entries) {
                long[] last = identities.isEmpty() ? null : identities.get(identities.size() - 1);
                if (last == null || last[2] != e.label()) {
                    if (layout == Layout.REC_BUILDER && last != null && e.label() < last[2]) {
                        throw new IOException(e.image() + ": class " + e.label() + " after class " + last[2]
                                + "; rec_builder needs each identity's images together, classes increasing");
                    }
                    identities.add(new long[] {key, key + 1, e.label()});
                } else {
                    last[1] = key + 1;
                }
                maxLabel = Math.max(maxLabel, e.label());
                byte[] image = read(e.image());
                w.write(key, layout == Layout.FACE2REC2
                        ? RecordIoItem.multi(new float[] {e.label(), 1f}, key, 0, image)
                        : RecordIoItem.scalar(e.label(), key, 0, image));
                key++;
            }
            long firstIdentity = key;
            long end = key + identities.size();
            RecordIoItem header = RecordIoItem.multi(new float[] {firstIdentity, end}, 0,
                    layout == Layout.REC_BUILDER ? 1 : 0, new byte[0]);
            if (layout == Layout.FACE2REC2) {
                w.write(0, header);
            }
            for (long[] id : identities) {
                w.write(key, RecordIoItem.multi(new float[] {id[0], id[1]}, key, 0, new byte[0]));
                key++;
            }
            if (layout == Layout.REC_BUILDER) {
                w.write(0, header);
                Files.writeString(property, (maxLabel + 1) + ",112,112\n", StandardCharsets.US_ASCII);
            }
            return new Summary(entries.size(), identities.size(), (int) key);
        }
    }

    private static byte[] read(Path image) throws IOException {
        try {
            return Files.readAllBytes(image);
        } catch (IOException e) {
            throw new IOException(image + ": image does not read: " + e.getMessage(), e);
        }
    }
}
