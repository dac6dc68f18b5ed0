package org.metric4j.data;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import org.metric4j.dataset.LabeledImages;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Face crops stored one sub-directory per identity, the layout of CASIA-WebFace, VGGFace2 and
 * MS1M exported to image files: {@code root/<identity>/<file>.jpg|.jpeg|.png}.
 *
 * <p>Identities are the sub-directories sorted by name (Java {@code String} order), numbered
 * 0, 1, ... in that order; a directory without any usable image gets no id and is listed in
 * {@link #emptyIdentities()}. Files are sorted by name within a directory. Item names are
 * {@code "<dir>/<file without extension>"} ({@code "Person/Person_0001"}, the LFW convention).
 * Files with other extensions and hidden files are not images of the set; their count is
 * {@link #ignoredFiles()}.
 *
 * <p>Images are decoded lazily, on {@link #image}, with {@code javax.imageio}: converted to RGB
 * (gray expanded, alpha dropped), resized bilinearly to H x W (Java2D) when their size differs,
 * and normalized like InsightFace, \( (v - 127.5) / 127.5 \), C x H x W in R, G, B order (or one
 * BT.601 luma plane with {@code optChannels(1)}). An optional LRU cache keeps decoded images.
 *
 * <p>Unreadable files are never dropped silently. At build time every file is checked
 * ({@link Check#HEADER} by default: an ImageIO reader recognizes it and reads its size); a file
 * that fails is an error listing the failures, or, with {@code optSkipUnreadable(true)}, is left
 * out and reported in {@link #unreadable()} (and logged). A file whose header reads but whose
 * body does not decode is found only when it is read: {@link #image} then throws an
 * {@link UncheckedIOException} naming it; {@link Check#DECODE} finds those at build time too.
 */
public final class ImageFolder implements LabeledImages {

    /** Default height and width, the 112 x 112 crops of InsightFace. */
    public static final int DEFAULT_SIZE = 112;

    /** Default number of channels (RGB). */
    public static final int DEFAULT_CHANNELS = 3;

    /** Default normalization, InsightFace's \( (v - 127.5) / 127.5 \). */
    public static final Normalization DEFAULT_NORMALIZATION = Normalization.INSIGHTFACE;

    /** Default LRU cache capacity in images (0: no cache). */
    public static final int DEFAULT_CACHE_SIZE = 0;

    /** The file extensions read, lower-cased. */
    public static final Set<String> EXTENSIONS = Set.of("jpg", "jpeg", "png");

    private static final Logger LOG = LoggerFactory.getLogger(ImageFolder.class);
    private static final int LISTED = 10;

    /** How much of every file is checked when the set is built. */
    public enum Check {
        /** Nothing: failures surface on {@link #image}. */
        NONE,
        /** A reader recognizes the file and reads its width and height (fast). */
        HEADER,
        /** The whole file decodes (slow: one full decode per file). */
        DECODE
    }

    /**
     * A file left out because it did not read.
     *
     * @param path the file
     * @param reason why
     */
    public record Unreadable(Path path, String reason) {
        @Override
        public String toString() {
            return path + " (" + reason + ")";
        }
    }

    private final Path root;
    private final List<String> identities;
    private final List<String> emptyIdentities;
    private final Path[] files;
    private final String[] names;
    private final int[] labels;
    private final List<Unreadable> unreadable;
    private final int ignoredFiles;
    private final int height;
    private final int width;
    private final int channels;
    private final Normalization normalization;
    private final float[] table;
    private final Map<Integer, float[]> cache;
    private final int cacheSize;

    private ImageFolder(Builder b, Scan scan) {
        this.root = b.root;
        this.identities = List.copyOf(scan.identities);
        this.emptyIdentities = List.copyOf(scan.emptyIdentities);
        this.files = scan.files.toArray(new Path[0]);
        this.names = scan.names.toArray(new String[0]);
        this.labels = scan.labels.stream().mapToInt(Integer::intValue).toArray();
        this.unreadable = List.copyOf(scan.unreadable);
        this.ignoredFiles = scan.ignored;
        this.height = b.height;
        this.width = b.width;
        this.channels = b.channels;
        this.normalization = b.normalization;
        this.table = normalization.table();
        this.cacheSize = b.cacheSize;
        this.cache = b.cacheSize == 0 ? null : Collections.synchronizedMap(
                new LinkedHashMap<>(16, 0.75f, true) {
                    private static final long serialVersionUID = 1L;

                    @Override
                    protected boolean removeEldestEntry(Map.Entry<Integer, float[]> eldest) {
                        return size() > cacheSize;
                    }
                });
    }

    /** A builder. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public int size() {
        return files.length;
    }

    @Override
    public int channels() {
        return channels;
    }

    @Override
    public int height() {
        return height;
    }

    @Override
    public int width() {
        return width;
    }

    @Override
    public long label(int index) {
        return labels[LabeledImages.checkIndex(this, index)];
    }

    @Override
    public int numClasses() {
        return identities.size();
    }

    @Override
    public String name(int index) {
        return names[LabeledImages.checkIndex(this, index)];
    }

    /** The file of item {@code index}. */
    public Path path(int index) {
        return files[LabeledImages.checkIndex(this, index)];
    }

    /** The identity directory names; entry i is the identity with id i. */
    public List<String> identities() {
        return identities;
    }

    /** Directories that held no usable image and got no id. */
    public List<String> emptyIdentities() {
        return emptyIdentities;
    }

    /** The files left out because they did not read (only with {@code optSkipUnreadable}). */
    public List<Unreadable> unreadable() {
        return unreadable;
    }

    /** The number of files left out because they did not read. */
    public int unreadableCount() {
        return unreadable.size();
    }

    /** The number of files that are not images of the set (other extensions, hidden files). */
    public int ignoredFiles() {
        return ignoredFiles;
    }

    /** The root directory. */
    public Path root() {
        return root;
    }

    @Override
    public void image(int index, float[] dst, int offset) {
        LabeledImages.checkIndex(this, index);
        float[] cached = cache == null ? null : cache.get(index);
        if (cached != null) {
            System.arraycopy(cached, 0, dst, offset, cached.length);
            return;
        }
        BufferedImage rgb;
        try {
            rgb = decode(files[index], height, width);
        } catch (IOException e) {
            throw new UncheckedIOException("image " + index + " (" + files[index]
                    + ") does not decode: " + e.getMessage()
                    + "; build with optCheck(Check.DECODE) and optSkipUnreadable(true) to leave"
                    + " such files out", e);
        }
        int[] packed = Pixels.packed(rgb);
        if (cache == null) {
            Pixels.writeChw(packed, channels, table, dst, offset);
        } else {
            float[] img = new float[imageSize()];
            Pixels.writeChw(packed, channels, table, img, 0);
            cache.put(index, img);
            System.arraycopy(img, 0, dst, offset, img.length);
        }
    }

    /** Decodes the items in parallel (common fork-join pool), then creates the array once. */
    @Override
    public NDArray batch(NDManager manager, int[] indices) {
        int n = imageSize();
        float[] buf = new float[Math.multiplyExact(indices.length, n)];
        for (int index : indices) {
            LabeledImages.checkIndex(this, index);
        }
        IntStream.range(0, indices.length).parallel().forEach(i -> image(indices[i], buf, i * n));
        return manager.create(buf, new Shape(indices.length, channels, height, width));
    }

    /** Reads a file as a {@code TYPE_INT_RGB} image of the given size. */
    static BufferedImage decode(Path file, int height, int width) throws IOException {
        BufferedImage img = ImageIO.read(file.toFile());
        if (img == null) {
            throw new IOException("no ImageIO reader recognizes its content");
        }
        return Pixels.toRgb(img, height, width);
    }

    /** Null when the file passes the check, else the reason. */
    private static String check(Path file, Check check) {
        try {
            if (check == Check.DECODE) {
                BufferedImage img = ImageIO.read(file.toFile());
                return img == null ? "no ImageIO reader recognizes its content" : null;
            }
            try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
                if (in == null) {
                    return "cannot open it";
                }
                Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
                if (!readers.hasNext()) {
                    return "no ImageIO reader recognizes its content";
                }
                ImageReader reader = readers.next();
                try {
                    reader.setInput(in);
                    if (reader.getWidth(0) < 1 || reader.getHeight(0) < 1) {
                        return "empty image";
                    }
                } finally {
                    reader.dispose();
                }
            }
            return null;
        } catch (IOException | RuntimeException e) {
            return e.getClass().getSimpleName() + ": " + e.getMessage();
        }
    }

    @Override
    public String toString() {
        return "ImageFolder(root=" + root + ", identities=" + identities.size() + ", images="
                + files.length + ", size=" + channels + " x " + height + " x " + width
                + ", normalization=" + normalization + ", unreadable=" + unreadable.size() + ")";
    }

    /** What the directory walk found. */
    private static final class Scan {
        final List<String> identities = new ArrayList<>();
        final List<String> emptyIdentities = new ArrayList<>();
        final List<Path> files = new ArrayList<>();
        final List<String> names = new ArrayList<>();
        final List<Integer> labels = new ArrayList<>();
        final List<Unreadable> unreadable = new ArrayList<>();
        int ignored;
    }

    private static Scan scan(Builder b) throws IOException {
        if (!Files.isDirectory(b.root)) {
            throw new IOException("root " + b.root + (Files.exists(b.root) ? " is not a directory"
                    : " does not exist") + "; expected one sub-directory per identity");
        }
        List<Path> dirs = new ArrayList<>();
        Scan scan = new Scan();
        try (Stream<Path> s = Files.list(b.root)) {
            s.sorted((x, y) -> x.getFileName().toString().compareTo(y.getFileName().toString()))
                    .forEach(p -> {
                        if (Files.isDirectory(p) && !hidden(p)) {
                            dirs.add(p);
                        } else {
                            scan.ignored++;
                        }
                    });
        }
        List<Path> candidates = new ArrayList<>();
        List<Integer> dirOf = new ArrayList<>();
        for (int d = 0; d < dirs.size(); d++) {
            try (Stream<Path> s = Files.list(dirs.get(d))) {
                List<Path> inDir = s.sorted((x, y) -> x.getFileName().toString()
                        .compareTo(y.getFileName().toString())).toList();
                for (Path f : inDir) {
                    if (Files.isRegularFile(f) && !hidden(f) && EXTENSIONS.contains(extension(f))) {
                        candidates.add(f);
                        dirOf.add(d);
                    } else {
                        scan.ignored++;
                    }
                }
            }
        }
        String[] failures = new String[candidates.size()];
        if (b.check != Check.NONE) {
            IntStream.range(0, candidates.size()).parallel()
                    .forEach(i -> failures[i] = check(candidates.get(i), b.check));
        }
        List<Unreadable> bad = new ArrayList<>();
        for (int i = 0; i < failures.length; i++) {
            if (failures[i] != null) {
                bad.add(new Unreadable(candidates.get(i), failures[i]));
            }
        }
        if (!bad.isEmpty() && !b.skipUnreadable) {
            StringBuilder sb = new StringBuilder();
            sb.append(bad.size()).append(" of ").append(candidates.size()).append(" images under ")
                    .append(b.root).append(" do not read (check ").append(b.check).append("):");
            for (int i = 0; i < Math.min(LISTED, bad.size()); i++) {
                sb.append(System.lineSeparator()).append("  ").append(bad.get(i));
            }
            if (bad.size() > LISTED) {
                sb.append(System.lineSeparator()).append("  ... and ").append(bad.size() - LISTED)
                        .append(" more");
            }
            sb.append(System.lineSeparator())
                    .append("Remove or replace them, or build with optSkipUnreadable(true) to leave"
                            + " them out (they are then listed in unreadable()).");
            throw new IOException(sb.toString());
        }
        if (!bad.isEmpty()) {
            LOG.warn("{}: left out {} of {} images that do not read, e.g. {}", b.root, bad.size(),
                    candidates.size(), bad.get(0));
        }
        scan.unreadable.addAll(bad);
        int[] idOfDir = new int[dirs.size()];
        Arrays.fill(idOfDir, -1);
        for (int i = 0; i < candidates.size(); i++) {
            if (failures[i] != null) {
                continue;
            }
            int d = dirOf.get(i);
            if (idOfDir[d] < 0) {
                idOfDir[d] = scan.identities.size();
                scan.identities.add(dirs.get(d).getFileName().toString());
            }
            Path f = candidates.get(i);
            String file = f.getFileName().toString();
            scan.files.add(f);
            scan.names.add(
                    dirs.get(d).getFileName() + "/" + file.substring(0, file.lastIndexOf('.')));
            scan.labels.add(idOfDir[d]);
        }
        for (int d = 0; d < dirs.size(); d++) {
            if (idOfDir[d] < 0) {
                scan.emptyIdentities.add(dirs.get(d).getFileName().toString());
            }
        }
        if (scan.files.isEmpty()) {
            throw new IOException("no readable images under " + b.root + " (" + dirs.size()
                    + " sub-directories, " + bad.size() + " unreadable files); expected "
                    + "root/<identity>/<file>.jpg|.jpeg|.png");
        }
        return scan;
    }

    private static boolean hidden(Path p) {
        return p.getFileName().toString().startsWith(".");
    }

    private static String extension(Path p) {
        String name = p.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
    }

    /** Builder of {@link ImageFolder}. */
    public static final class Builder {
        private Path root;
        private int height = DEFAULT_SIZE;
        private int width = DEFAULT_SIZE;
        private int channels = DEFAULT_CHANNELS;
        private Normalization normalization = DEFAULT_NORMALIZATION;
        private boolean skipUnreadable;
        private Check check = Check.HEADER;
        private int cacheSize = DEFAULT_CACHE_SIZE;

        private Builder() {}

        /** The root directory, one sub-directory per identity (required). */
        public Builder setRoot(Path root) {
            this.root = root;
            return this;
        }

        /** Output height and width (default {@value #DEFAULT_SIZE} x {@value #DEFAULT_SIZE}). */
        public Builder optSize(int height, int width) {
            Pixels.checkSize(height, width);
            this.height = height;
            this.width = width;
            return this;
        }

        /** 3 for RGB, 1 for BT.601 luma (default {@value #DEFAULT_CHANNELS}). */
        public Builder optChannels(int channels) {
            this.channels = Pixels.checkChannels(channels);
            return this;
        }

        /** The pixel normalization (default InsightFace's \( (v - 127.5) / 127.5 \)). */
        public Builder optNormalization(Normalization normalization) {
            this.normalization = Objects.requireNonNull(normalization, "normalization");
            return this;
        }

        /** Leave unreadable files out and list them, instead of failing (default false). */
        public Builder optSkipUnreadable(boolean skipUnreadable) {
            this.skipUnreadable = skipUnreadable;
            return this;
        }

        /** How much of each file to check at build time (default {@link Check#HEADER}). */
        public Builder optCheck(Check check) {
            this.check = Objects.requireNonNull(check, "check");
            return this;
        }

        /** LRU cache capacity in decoded images (default {@value #DEFAULT_CACHE_SIZE}: none). */
        public Builder optCacheSize(int cacheSize) {
            if (cacheSize < 0) {
                throw new IllegalArgumentException("cacheSize must be >= 0, got " + cacheSize);
            }
            this.cacheSize = cacheSize;
            return this;
        }

        /** Walks the root and checks the files. */
        public ImageFolder build() throws IOException {
            if (root == null) {
                throw new IllegalArgumentException("root must be set (setRoot), got null");
            }
            return new ImageFolder(this, scan(this));
        }
    }
}
