package org.metric4j.train;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.metric4j.data.FashionMnist;
import org.metric4j.data.ImageFolder;
import org.metric4j.data.SyntheticFaces;
import org.metric4j.dataset.LabeledImages;

/**
 * Datasets by name, each with its training images, its held-out images and the evaluation that
 * fits it: closed-set nearest-class-center accuracy for Fashion-MNIST, open-set verification of
 * unseen identities for synthetic faces and image folders.
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

    /** The datasets. */
    public static final Registry<Long, TrainData> DATASETS = new Registry<Long, TrainData>("dataset")
            .add("fashion-mnist", "Fashion-MNIST (dir=DIR: only that directory; else Debian's "
                            + "/usr/share/datasets/fashion-mnist, then the cache, then a download only with "
                            + "download=true); 'limit' trains on the first N images",
                    Set.of("dir", "download", "limit", "eval-limit", "ncc-train"), (s, seed) -> {
                        try {
                            FashionMnist.Builder b = FashionMnist.builder().optDownload(s.flag("download", false));
                            String dir = s.text("dir", null);
                            if (dir != null) {
                                b.optDataDir(Path.of(dir));
                            }
                            FashionMnist fm = b.build();
                            LabeledImages train = limit(fm.load(FashionMnist.Split.TRAIN), s.integer("limit", 0));
                            LabeledImages test = limit(fm.load(FashionMnist.Split.TEST), s.integer("eval-limit", 0));
                            return new TrainData("Fashion-MNIST (" + train.size() + " train, " + test.size() + " test)",
                                    train, test, List.of(new NearestCenterEvaluator(train, test, s.integer("ncc-train", 20_000))));
                        } catch (IOException e) {
                            throw new UncheckedIOException(e.getMessage(), e);
                        }
                    })
            .add("synthetic-faces", "synthetic face identities drawn from a seed; evaluation on unseen identities",
                    Set.of("identities", "images", "size", "channels", "eval-identities", "eval-images", "pairs"),
                    (s, seed) -> {
                        int size = s.integer("size", 112);
                        int channels = s.integer("channels", 3);
                        LabeledImages train = SyntheticFaces.builder().optIdentities(s.integer("identities", 100))
                                .optImagesPerIdentity(s.integer("images", 20)).optSize(size, size)
                                .optChannels(channels).optSeed(seed).build();
                        LabeledImages unseen = SyntheticFaces.builder().optIdentities(s.integer("eval-identities", 50))
                                .optImagesPerIdentity(s.integer("eval-images", 10)).optSize(size, size)
                                .optChannels(channels).optFirstIdentity(1_000_000).optSeed(seed).build();
                        return new TrainData("synthetic faces (" + train.numClasses() + " identities x "
                                + (train.size() / train.numClasses()) + ", " + size + "x" + size + ")", train, unseen,
                                List.of(new VerificationEvaluator(unseen, s.integer("pairs", 600), seed)));
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
                    });

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
