package org.metric4j.train;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.metric4j.data.FashionMnist;
import org.metric4j.data.ImageFolder;
import org.metric4j.data.RecordIoDataset;
import org.metric4j.data.SyntheticFaces;
import org.metric4j.dataset.LabeledImages;

/**
 * Datasets by name, each with its training images, its held-out images and the evaluation that
 * fits it: closed-set nearest-class-center accuracy for Fashion-MNIST, open-set verification of
 * unseen identities for synthetic faces, image folders and MXNet RecordIO sets.
 *
 * <p>{@code rec}: training images from a {@code train.rec} + {@code train.idx} read as InsightFace's
 * MXFaceDataset ({@link RecordIoDataset}, decoded on {@code threads} worker threads). Held out:
 * {@code eval=} a second {@code .rec} (or a directory holding {@code train.rec}) or an image folder
 * of other identities; without it the last {@code holdout} classes (default {@value
 * #DEFAULT_HOLDOUT_FRACTION} of them, at least 2) are removed from training and evaluated,
 * relabeled from 0.
 */
public final class Datasets {

    /**
     * A dataset ready for training.
     *
     * @param name a readable description
     * @param train training images
     * @param heldOut evaluation images (test split, or unseen identities)
     * @param evaluators what to evaluate after each epoch
     */
    public record TrainData(String name, LabeledImages train, LabeledImages heldOut, List<EpochEvaluator> evaluators) {}

    private Datasets() {}

    /** The metrics' prefix of a validation set, on which hyper-parameters are chosen ({@code val_auc}, ...). */
    public static final String VALIDATION_PREFIX = "val";

    /** The first identity of synthetic faces' test set (training identities count from 0). */
    static final int TEST_IDENTITIES = 1_000_000;

    /** The first identity of synthetic faces' validation set. */
    static final int VALIDATION_IDENTITIES = 2_000_000;

    /** The metrics' prefix of the verification of classes unseen in training ({@code openset_auc}, ...). */
    public static final String OPEN_SET_PREFIX = "openset";

    /** The fraction of a {@code rec} set's classes held out when neither eval= nor holdout= is given. */
    public static final double DEFAULT_HOLDOUT_FRACTION = 0.1;

    /** The datasets. */
    public static final Registry<Long, TrainData> DATASETS = new Registry<Long, TrainData>("dataset")
            .add("fashion-mnist", "Fashion-MNIST (dir=DIR: only that directory; else Debian's "
                            + "/usr/share/datasets/fashion-mnist, then the cache, then a download only with "
                            + "download=true); 'limit' trains on the first N images; seen=K trains on classes 0..K-1 "
                            + "only and verifies genuine=G / impostor=I pairs (default 3000 / 10000) of the test "
                            + "images of the other classes (openset_*), with the class angles of the seen ones",
                    Set.of("dir", "download", "limit", "eval-limit", "ncc-train", "seen", "genuine", "impostor"),
                    (s, seed) -> {
                        try {
                            FashionMnist.Builder b = FashionMnist.builder().optDownload(s.flag("download", false));
                            String dir = s.text("dir", null);
                            if (dir != null) {
                                b.optDataDir(Path.of(dir));
                            }
                            FashionMnist fm = b.build();
                            LabeledImages allTrain = fm.load(FashionMnist.Split.TRAIN);
                            LabeledImages allTest = fm.load(FashionMnist.Split.TEST);
                            int classes = allTrain.numClasses();
                            int seen = s.integer("seen", classes);
                            if (seen < 2 || seen > classes) {
                                throw new IllegalArgumentException("'fashion-mnist' seen must be in [2, " + classes
                                        + "], got " + seen);
                            }
                            if (seen == classes && (s.params().containsKey("genuine") || s.params().containsKey("impostor"))) {
                                throw new IllegalArgumentException("'fashion-mnist' genuine= and impostor= need seen=K < "
                                        + classes + " (pairs of the unseen classes)");
                            }
                            LabeledImages train = limit(seen < classes ? classes(allTrain, 0, seen) : allTrain,
                                    s.integer("limit", 0));
                            LabeledImages test = limit(seen < classes ? classes(allTest, 0, seen) : allTest,
                                    s.integer("eval-limit", 0));
                            List<EpochEvaluator> evaluators = new java.util.ArrayList<>();
                            evaluators.add(new NearestCenterEvaluator(train, test, s.integer("ncc-train", 20_000)));
                            String name = "Fashion-MNIST (" + train.size() + " train, " + test.size() + " test)";
                            if (seen < classes) {
                                LabeledImages unseen = classes(allTest, seen, classes);
                                evaluators.add(new ClassAnglesEvaluator(test));
                                evaluators.add(new VerificationEvaluator(unseen, s.integer("genuine", 3000),
                                        s.integer("impostor", 10_000), seed, OPEN_SET_PREFIX));
                                name = "Fashion-MNIST classes 0-" + (seen - 1) + " (" + train.size() + " train, "
                                        + test.size() + " test; open set: " + unseen.size() + " test images of classes "
                                        + seen + "-" + (classes - 1) + ")";
                            }
                            return new TrainData(name, train, test, List.copyOf(evaluators));
                        } catch (IOException e) {
                            throw new UncheckedIOException(e.getMessage(), e);
                        }
                    })
            .add("synthetic-faces", "synthetic face identities drawn from a seed; evaluation on unseen identities "
                            + "(pairs=N of each kind, or genuine=G,impostor=I); val-identities=N adds a validation "
                            + "set of other unseen identities (val_*, to choose hyper-parameters on)",
                    Set.of("identities", "images", "size", "channels", "eval-identities", "eval-images", "pairs",
                            "genuine", "impostor", "val-identities", "val-images"),
                    (s, seed) -> {
                        int size = s.integer("size", 112);
                        int channels = s.integer("channels", 3);
                        LabeledImages train = SyntheticFaces.builder().optIdentities(s.integer("identities", 100))
                                .optImagesPerIdentity(s.integer("images", 20)).optSize(size, size)
                                .optChannels(channels).optSeed(seed).build();
                        int evalImages = s.integer("eval-images", 10);
                        LabeledImages unseen = SyntheticFaces.builder().optIdentities(s.integer("eval-identities", 50))
                                .optImagesPerIdentity(evalImages).optSize(size, size)
                                .optChannels(channels).optFirstIdentity(TEST_IDENTITIES).optSeed(seed).build();
                        boolean counts = s.params().containsKey("genuine") || s.params().containsKey("impostor");
                        if (counts && s.params().containsKey("pairs")) {
                            throw new IllegalArgumentException("'synthetic-faces': give pairs=N or genuine=G,impostor=I, "
                                    + "not both");
                        }
                        int pairs = s.integer("pairs", 600);
                        // equal counts as the one-count constructor rounds them (its historical pair list)
                        int genuine = counts ? s.integer("genuine", pairs) : VerificationEvaluator.roundedPairs(pairs);
                        int impostor = counts ? s.integer("impostor", pairs) : VerificationEvaluator.roundedPairs(pairs);
                        List<EpochEvaluator> evaluators = new java.util.ArrayList<>();
                        evaluators.add(new VerificationEvaluator(unseen, genuine, impostor, seed,
                                VerificationEvaluator.DEFAULT_PREFIX));
                        String name = "synthetic faces (" + train.numClasses() + " identities x "
                                + (train.size() / train.numClasses()) + ", " + size + "x" + size + "; test: "
                                + unseen.numClasses() + " unseen identities";
                        int valIdentities = s.integer("val-identities", 0);
                        if (valIdentities < 0 || valIdentities == 1) {
                            throw new IllegalArgumentException("'synthetic-faces' val-identities must be 0 or >= 2, got "
                                    + valIdentities);
                        }
                        if (valIdentities > 0) {
                            LabeledImages val = SyntheticFaces.builder().optIdentities(valIdentities)
                                    .optImagesPerIdentity(s.integer("val-images", evalImages)).optSize(size, size)
                                    .optChannels(channels).optFirstIdentity(VALIDATION_IDENTITIES).optSeed(seed).build();
                            evaluators.add(new VerificationEvaluator(val, genuine, impostor, seed + 1, VALIDATION_PREFIX));
                            name += "; validation: " + val.numClasses() + " others";
                        }
                        return new TrainData(name + ")", train, unseen, List.copyOf(evaluators));
                    })
            .add("image-folder", "one sub-directory per identity (dir=..., eval=... a second folder of other identities)",
                    Set.of("dir", "eval", "size", "pairs"), (s, seed) -> {
                        String dir = s.text("dir", null);
                        String eval = s.text("eval", null);
                        if (dir == null || eval == null) {
                            throw new IllegalArgumentException(
                                    "'image-folder' needs dir=TRAIN_FOLDER and eval=EVAL_FOLDER (identities unseen in training)");
                        }
                        try {
                            int size = s.integer("size", 112);
                            LabeledImages train = ImageFolder.builder().setRoot(Path.of(dir)).optSize(size, size).build();
                            LabeledImages unseen = ImageFolder.builder().setRoot(Path.of(eval)).optSize(size, size).build();
                            return new TrainData("image folder " + dir, train, unseen,
                                    List.of(new VerificationEvaluator(unseen, s.integer("pairs", 600), seed)));
                        } catch (IOException e) {
                            throw new UncheckedIOException(e.getMessage(), e);
                        }
                    })
            .add("rec", "MXNet RecordIO (path=DIR or train.rec with its .idx, as 'metric4j pack' or im2rec write "
                            + "them); eval=REC_OR_FOLDER of other identities, else the last holdout=N classes "
                            + "(default 10%, at least 2) are held out; limit=N trains on the first N images",
                    Set.of("path", "eval", "size", "channels", "limit", "holdout", "threads", "pairs"), (s, seed) -> {
                        String path = s.text("path", null);
                        if (path == null) {
                            throw new IllegalArgumentException("'rec' needs path=DIR_OR_train.rec");
                        }
                        int size = s.integer("size", 112);
                        int channels = s.integer("channels", 3);
                        int threads = s.integer("threads", Runtime.getRuntime().availableProcessors());
                        try {
                            RecordIoDataset all = openRec(recFile(Path.of(path), "path"), size, channels, threads);
                            LabeledImages train;
                            LabeledImages unseen;
                            String split;
                            String eval = s.text("eval", null);
                            if (eval != null) {
                                if (s.params().containsKey("holdout")) {
                                    throw new IllegalArgumentException("'rec': give eval= or holdout=, not both");
                                }
                                Path e = Path.of(eval);
                                boolean isRec = eval.endsWith(".rec") || Files.isRegularFile(e.resolve("train.rec"));
                                train = all;
                                unseen = isRec ? openRec(recFile(e, "eval"), size, channels, threads)
                                        : ImageFolder.builder().setRoot(e).optSize(size, size).optChannels(channels).build();
                                split = "eval " + eval;
                            } else {
                                int k = all.numClasses();
                                int holdout = s.integer("holdout", Math.max(2, (int) Math.round(k * DEFAULT_HOLDOUT_FRACTION)));
                                if (holdout < 2 || holdout >= k) {
                                    throw new IllegalArgumentException("'rec' holdout must be in [2, " + k
                                            + ") (classes of " + path + "), got " + holdout
                                            + "; give eval=REC_OR_FOLDER for a separate held-out set");
                                }
                                train = classes(all, 0, k - holdout);
                                unseen = classes(all, k - holdout, k);
                                split = "last " + holdout + " classes held out";
                            }
                            train = limit(train, s.integer("limit", 0));
                            return new TrainData("RecordIO " + path + " (" + train.size() + " images of "
                                    + train.numClasses() + " classes; " + split + ", " + unseen.size() + " images)",
                                    train, unseen, List.of(new VerificationEvaluator(unseen, s.integer("pairs", 600), seed)));
                        } catch (IOException e) {
                            throw new UncheckedIOException(e.getMessage(), e);
                        }
                    });

    private static Path recFile(Path p, String key) {
        Path rec = Files.isDirectory(p) ? p.resolve("train.rec") : p;
        if (!Files.isRegularFile(rec)) {
            throw new IllegalArgumentException("'rec' " + key + "=" + p + ": " + rec + " not found, expected a .rec "
                    + "(or a directory holding train.rec)");
        }
        String name = rec.getFileName().toString();
        Path idx = rec.resolveSibling((name.endsWith(".rec") ? name.substring(0, name.length() - 4) : name) + ".idx");
        if (!Files.isRegularFile(idx)) {
            throw new IllegalArgumentException("'rec' " + key + "=" + p + ": " + idx + " not found; a .rec needs its "
                    + ".idx for random access: rebuild both with 'metric4j pack --images DIR --output " + rec
                    + "' or MXNet's im2rec (which writes the .idx beside the .rec)");
        }
        return rec;
    }

    private static RecordIoDataset openRec(Path rec, int size, int channels, int threads) throws IOException {
        return RecordIoDataset.builder().setRec(rec).optSize(size, size).optChannels(channels).optThreads(threads)
                .build();
    }

    /** The items whose class is in [from, to), relabeled {@code class - from}. */
    static LabeledImages classes(LabeledImages data, int from, int to) {
        int[] items = java.util.stream.IntStream.range(0, data.size())
                .filter(i -> data.label(i) >= from && data.label(i) < to).toArray();
        return new LabeledImages() {
            @Override public int size() { return items.length; }
            @Override public int channels() { return data.channels(); }
            @Override public int height() { return data.height(); }
            @Override public int width() { return data.width(); }
            @Override public long label(int index) { return data.label(items[LabeledImages.checkIndex(this, index)]) - from; }
            @Override public int numClasses() { return to - from; }
            @Override public String name(int index) { return data.name(items[LabeledImages.checkIndex(this, index)]); }
            @Override public void image(int index, float[] dst, int offset) {
                data.image(items[LabeledImages.checkIndex(this, index)], dst, offset);
            }
            @Override public ai.djl.ndarray.NDArray batch(ai.djl.ndarray.NDManager m, int[] idx) {
                int[] mapped = new int[idx.length];
                for (int i = 0; i < idx.length; i++) {
                    mapped[i] = items[LabeledImages.checkIndex(this, idx[i])];
                }
                return data.batch(m, mapped);
            }
        };
    }

    /** The first {@code n} items (all when n <= 0 or n >= size). */
    static LabeledImages limit(LabeledImages data, int n) {
        if (n <= 0 || n >= data.size()) {
            return data;
        }
        return new LabeledImages() {
            @Override public int size() { return n; }
            @Override public int channels() { return data.channels(); }
            @Override public int height() { return data.height(); }
            @Override public int width() { return data.width(); }
            @Override public long label(int index) { return data.label(LabeledImages.checkIndex(this, index)); }
            @Override public int numClasses() { return data.numClasses(); }
            @Override public String name(int index) { return data.name(index); }
            @Override public void image(int index, float[] dst, int offset) {
                data.image(LabeledImages.checkIndex(this, index), dst, offset);
            }
            @Override public ai.djl.ndarray.NDArray batch(ai.djl.ndarray.NDManager m, int[] idx) {
                for (int i : idx) {
                    LabeledImages.checkIndex(this, i);
                }
                return data.batch(m, idx);
            }
        };
    }
}
