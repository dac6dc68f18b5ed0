package org.metric4j.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.metric4j.dataset.LabeledImages;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fashion-MNIST (Xiao, Rasul, Vollgraf 2017, arXiv:1708.07747): 28 x 28 grayscale images of 10
 * clothing classes, 60000 for training and 10000 for testing, in four IDX files
 * ({@code train-images-idx3-ubyte}, {@code train-labels-idx1-ubyte},
 * {@code t10k-images-idx3-ubyte}, {@code t10k-labels-idx1-ubyte}, each plain or {@code .gz}).
 *
 * <p>A directory given with {@link Builder#optDataDir} (the dataset spec's {@code dir=}) is the
 * only place searched: when it lacks the files that is an error, never a fall-back to another
 * place. Otherwise the two files of a split are looked for, in this order:
 * <ol>
 *   <li>{@value #SYSTEM_DIR} (Debian / Ubuntu package {@code dataset-fashion-mnist});
 *   <li>the cache directory, default {@code ~/.metric4j/datasets/fashion-mnist};
 *   <li>only when asked ({@link Builder#optDownload}, the spec's {@code download=true}; off by
 *       default, so nothing downloads at run time unless the user asks): a download from the
 *       official addresses ({@link #DEFAULT_MIRRORS}) into the cache, each file checked against
 *       its published MD5; connect and read time out after {@link #DEFAULT_TIMEOUT} so that a
 *       machine without network fails in seconds.
 * </ol>
 * When all fail, a {@link DatasetNotFoundException} lists each place, what was missing there and
 * how to fix it (the Debian package, {@code dir=}, {@code download=true}). The same file names
 * serve the original MNIST: point {@code dir=} at an MNIST copy.
 *
 * <p>Images stay in memory as raw bytes (47 MB for the training split) and are normalized on the
 * fly, by default \( (v - 127.5) / 128 \) ({@link Normalization#SPHEREFACE}, values in
 * [-0.996, 0.996]). Item names are {@code "train/123"} and {@code "test/45"}.
 */
public final class FashionMnist {

    /** The Debian / Ubuntu location (package {@code dataset-fashion-mnist}). */
    public static final String SYSTEM_DIR = "/usr/share/datasets/fashion-mnist";

    /** The cache directory, under the user's home. */
    public static final Path DEFAULT_CACHE_DIR =
            Path.of(System.getProperty("user.home"), ".metric4j", "datasets", "fashion-mnist");

    /** The official addresses, tried in order: Zalando Research's GitHub, then its S3 mirror. */
    public static final List<URI> DEFAULT_MIRRORS = List.of(
            URI.create("https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/"
                    + "data/fashion/"),
            URI.create("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"));

    /** Connect and read timeout of the download. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

    /** Default normalization: \( (v - 127.5) / 128 \). */
    public static final Normalization DEFAULT_NORMALIZATION = Normalization.SPHEREFACE;

    /** The MD5s of the {@code .gz} files published in the Fashion-MNIST README. */
    static final Map<String, String> PUBLISHED_MD5 = Map.of(
            "train-images-idx3-ubyte.gz", "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
            "train-labels-idx1-ubyte.gz", "25c81989df183df01b3e8a0aad5dffbe",
            "t10k-images-idx3-ubyte.gz", "bef4ecab320f06d8554ea6380940ec79",
            "t10k-labels-idx1-ubyte.gz", "bb300cfdad3c16e7a12a480ee83cd310");

    private static final Logger LOG = LoggerFactory.getLogger(FashionMnist.class);

    /** A split of the dataset. */
    public enum Split {
        /** 60000 training images. */
        TRAIN("train", "train"),
        /** 10000 test images. */
        TEST("t10k", "test");

        private final String filePrefix;
        private final String namePrefix;

        Split(String filePrefix, String namePrefix) {
            this.filePrefix = filePrefix;
            this.namePrefix = namePrefix;
        }

        /** The image file name without {@code .gz}, e.g. {@code train-images-idx3-ubyte}. */
        public String imagesFile() {
            return filePrefix + "-images-idx3-ubyte";
        }

        /** The label file name without {@code .gz}, e.g. {@code train-labels-idx1-ubyte}. */
        public String labelsFile() {
            return filePrefix + "-labels-idx1-ubyte";
        }

        /** The prefix of item names, {@code train} or {@code test}. */
        public String namePrefix() {
            return namePrefix;
        }
    }

    private final Path dataDir;
    private final Path systemDir;
    private final Path cacheDir;
    private final boolean download;
    private final List<URI> mirrors;
    private final Duration timeout;
    private final Normalization normalization;
    private final Map<String, String> md5;

    private FashionMnist(Builder b) {
        this.dataDir = b.dataDir;
        this.systemDir = b.systemDir;
        this.cacheDir = b.cacheDir;
        this.download = b.download;
        this.mirrors = List.copyOf(b.mirrors);
        this.timeout = b.timeout;
        this.normalization = b.normalization;
        this.md5 = Map.copyOf(b.md5);
    }

    /** A builder with the default locations, download off. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Loads a split: 1 x 28 x 28 images, 10 classes, names {@code "<train|test>/<index>"}.
     *
     * @throws DatasetNotFoundException when no place holds the split's two files
     * @throws IOException when a file is found but does not read (the message names it)
     */
    public LabeledImages load(Split split) throws IOException {
        Path dir = locate(split);
        IdxFile images = IdxFile.readImages(find(dir, split.imagesFile()));
        IdxFile labels = IdxFile.readLabels(find(dir, split.labelsFile()));
        return new UByteImages(split.namePrefix(), images, labels, normalization);
    }

    /**
     * The directory that holds the split's two files, downloading them into the cache when no
     * other place has them.
     *
     * @throws DatasetNotFoundException when no place holds them
     */
    public Path locate(Split split) throws IOException {
        List<String> attempts = new ArrayList<>();
        String files = split.imagesFile() + "[.gz] and " + split.labelsFile() + "[.gz]";
        String what = "Fashion-MNIST " + split.namePrefix() + " split (" + files + ")";
        if (dataDir != null) {
            String missing = missing(dataDir, split);
            if (missing == null) {
                return dataDir;
            }
            attempts.add("dir=" + dataDir + " (given, so the only place searched): " + missing
                    + " -> fix: put " + files + " there, or give another dir=, or leave dir= out to"
                    + " search " + systemDir + " and " + cacheDir);
            throw new DatasetNotFoundException(what, attempts);
        }
        String missing = missing(systemDir, split);
        if (missing == null) {
            return systemDir;
        }
        attempts.add("system directory " + systemDir + ": " + missing
                + " -> fix: sudo apt-get install dataset-fashion-mnist (Debian / Ubuntu)");
        missing = missing(cacheDir, split);
        if (missing == null) {
            return cacheDir;
        }
        attempts.add("cache directory " + cacheDir + ": " + missing
                + " -> fix: copy " + files + " into it (mkdir -p " + cacheDir + "), or name a"
                + " directory that holds them with dir=DIR (fashion-mnist:dir=DIR)");
        if (!download) {
            attempts.add("download: not asked for (nothing downloads unless asked) -> fix:"
                    + " fashion-mnist:download=true (library: optDownload(true)), or fetch the files"
                    + " by hand from " + DEFAULT_MIRRORS.get(0) + " into " + cacheDir);
        } else {
            String failure = downloadInto(split);
            if (failure == null) {
                return cacheDir;
            }
            attempts.add("download into " + cacheDir + ": " + failure
                    + " -> fix: check the network and proxy (-Dhttps.proxyHost, -Dhttps.proxyPort),"
                    + " or fetch the files by hand from " + DEFAULT_MIRRORS.get(0) + " into "
                    + cacheDir);
        }
        throw new DatasetNotFoundException(what, attempts);
    }

    /** What the directory lacks for the split, or null when it has both files. */
    private static String missing(Path dir, Split split) {
        if (!Files.isDirectory(dir)) {
            return Files.exists(dir) ? "not a directory" : "directory does not exist";
        }
        List<String> lacking = new ArrayList<>();
        for (String name : List.of(split.imagesFile(), split.labelsFile())) {
            if (find(dir, name) == null) {
                lacking.add(name + "[.gz]");
            }
        }
        return lacking.isEmpty() ? null : "missing " + String.join(", ", lacking);
    }

    /** {@code dir/name} or {@code dir/name.gz}, whichever is a regular file, or null. */
    private static Path find(Path dir, String name) {
        for (Path p : List.of(dir.resolve(name), dir.resolve(name + ".gz"))) {
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        return null;
    }

    /** Downloads the split's missing files into the cache; null on success, else the reason. */
    private String downloadInto(Split split) {
        if (mirrors.isEmpty()) {
            return "no download address configured";
        }
        try {
            Files.createDirectories(cacheDir);
        } catch (IOException e) {
            return "cannot create the cache directory: " + e;
        }
        for (String name : List.of(split.imagesFile(), split.labelsFile())) {
            if (find(cacheDir, name) != null) {
                continue;
            }
            String file = name + ".gz";
            List<String> failures = new ArrayList<>();
            boolean done = false;
            for (URI mirror : mirrors) {
                URI uri = mirror.resolve(file);
                try {
                    fetch(uri, cacheDir.resolve(file), md5.get(file));
                    done = true;
                    break;
                } catch (IOException | RuntimeException e) {
                    failures.add(uri + ": " + e);
                }
            }
            if (!done) {
                return String.join("; ", failures);
            }
        }
        return null;
    }

    private void fetch(URI uri, Path target, String expectedMd5) throws IOException {
        LOG.info("downloading {} into {}", uri, target);
        URL url = uri.toURL();
        HttpURLConnection conn = (HttpURLConnection) url.openConnection();
        int ms = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
        conn.setConnectTimeout(ms);
        conn.setReadTimeout(ms);
        conn.setInstanceFollowRedirects(true);
        Path part = Files.createTempFile(target.getParent(), target.getFileName().toString(),
                ".part");
        try {
            int code = conn.getResponseCode();
            if (code != HttpURLConnection.HTTP_OK) {
                throw new IOException("HTTP " + code + " " + conn.getResponseMessage());
            }
            MessageDigest digest = md5Digest();
            try (InputStream in = new DigestInputStream(conn.getInputStream(), digest);
                    OutputStream out = Files.newOutputStream(part)) {
                in.transferTo(out);
            }
            String got = HexFormat.of().formatHex(digest.digest());
            if (expectedMd5 != null && !expectedMd5.equalsIgnoreCase(got)) {
                throw new IOException("MD5 mismatch: got " + got + ", expected " + expectedMd5
                        + " (published checksum)");
            }
            Files.move(part, target, StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
        } finally {
            conn.disconnect();
            Files.deleteIfExists(part);
        }
    }

    private static MessageDigest md5Digest() {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 is missing from this JDK", e);
        }
    }

    @Override
    public String toString() {
        return "FashionMnist(dataDir=" + dataDir + ", systemDir=" + systemDir + ", cacheDir="
                + cacheDir + ", download=" + download + ", normalization=" + normalization + ")";
    }

    /** Builder of {@link FashionMnist}. */
    public static final class Builder {
        private Path dataDir;
        private Path systemDir = Path.of(SYSTEM_DIR);
        private Path cacheDir = DEFAULT_CACHE_DIR;
        private boolean download = false;
        private List<URI> mirrors = DEFAULT_MIRRORS;
        private Duration timeout = DEFAULT_TIMEOUT;
        private Normalization normalization = DEFAULT_NORMALIZATION;
        private Map<String, String> md5 = PUBLISHED_MD5;

        private Builder() {}

        /**
         * The directory that holds the files (default none; the dataset spec's {@code dir=}). When
         * given it is the only place searched.
         */
        public Builder optDataDir(Path dataDir) {
            this.dataDir = dataDir;
            return this;
        }

        /** The system directory (default {@value #SYSTEM_DIR}). */
        public Builder optSystemDir(Path systemDir) {
            this.systemDir = Objects.requireNonNull(systemDir, "systemDir");
            return this;
        }

        /** The cache directory (default {@code ~/.metric4j/datasets/fashion-mnist}). */
        public Builder optCacheDir(Path cacheDir) {
            this.cacheDir = Objects.requireNonNull(cacheDir, "cacheDir");
            return this;
        }

        /**
         * Whether to download into the cache when neither the system nor the cache directory has
         * the files (default false: nothing downloads unless asked; the spec's {@code download=true}).
         */
        public Builder optDownload(boolean download) {
            this.download = download;
            return this;
        }

        /** Base addresses to download from, tried in order (default {@link #DEFAULT_MIRRORS}). */
        public Builder optMirrors(List<URI> mirrors) {
            List<URI> bases = new ArrayList<>();
            for (URI m : mirrors) {
                String text = m.toString();
                bases.add(text.endsWith("/") ? m : URI.create(text + "/"));
            }
            this.mirrors = List.copyOf(bases);
            return this;
        }

        /** Connect and read timeout of the download (default 5 s). */
        public Builder optTimeout(Duration timeout) {
            if (timeout == null || timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("timeout must be > 0, got " + timeout);
            }
            this.timeout = timeout;
            return this;
        }

        /** The pixel normalization (default \( (v - 127.5) / 128 \)). */
        public Builder optNormalization(Normalization normalization) {
            this.normalization = Objects.requireNonNull(normalization, "normalization");
            return this;
        }

        /** Expected MD5 per downloaded file name; for tests that serve their own files. */
        Builder checksums(Map<String, String> md5) {
            this.md5 = Map.copyOf(md5);
            return this;
        }

        /** The loader. */
        public FashionMnist build() {
            return new FashionMnist(this);
        }
    }
}
