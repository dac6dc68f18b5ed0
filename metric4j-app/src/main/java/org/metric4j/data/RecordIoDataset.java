package org.metric4j.data;

import java.awt.image.BufferedImage;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.metric4j.dataset.LabeledImages;
import org.metric4j.math.Inputs;

/**
 * An MXNet RecordIO face dataset, {@code train.rec} + {@code train.idx}, read as InsightFace's
 * {@code MXFaceDataset} (recognition/arcface_torch/dataset.py) reads it: when record 0's header has
 * {@code flag > 0} (face2rec2, RecBuilder: the MS1M layout) the items are keys {@code 1 ..
 * label[0] - 1}; otherwise (im2rec) the items are all {@code .idx} keys in file order. An item's
 * class is its header's label when scalar, {@code label[0]} when an array. {@link #name} is the key
 * as text.
 *
 * <p>Every item's header is read when the set is opened (labels are needed up front); images are
 * decoded on {@link #image} with {@link ImageDecoder}, resized bilinearly to H x W when their size
 * differs and normalized like {@link ImageFolder} (default InsightFace's \( (v - 127.5) / 127.5
 * \), C x H x W in R, G, B order). {@link #numClasses} is the largest class + 1; labels must be
 * non-negative integers.
 *
 * <p>{@link #batch} decodes on a pool of {@code optThreads} worker threads (default the available
 * processors), each thread a contiguous slice of the batch, so the result equals the serial path
 * exactly; the pool's daemon threads start on the first batch and stop on {@link #close}.
 */
public final class RecordIoDataset implements LabeledImages, Closeable {

    private final RecordIoReader reader;
    private final long[] keys;
    private final int[] labels;
    private final int numClasses;
    private final int[] header0;
    private final int height;
    private final int width;
    private final int channels;
    private final float[] table;
    private final int threads;
    private ExecutorService pool;

    private RecordIoDataset(RecordIoReader reader, long[] keys, int[] labels, int[] header0,
            int height, int width, int channels, Normalization normalization, int threads) {
        this.reader = reader;
        this.keys = keys;
        this.labels = labels;
        int max = -1;
        for (int l : labels) {
            max = Math.max(max, l);
        }
        this.numClasses = max + 1;
        this.header0 = header0;
        this.height = height;
        this.width = width;
        this.channels = channels;
        this.table = normalization.table();
        this.threads = threads;
    }

    /** A builder: 112 x 112 RGB, InsightFace normalization, one decoding thread per processor. */
    public static Builder builder() {
        return new Builder();
    }

    /** Opens {@code rec} (with the {@code .idx} beside it) at 112 x 112 RGB, InsightFace normalization. */
    public static RecordIoDataset open(Path rec) throws IOException {
        return open(rec, ImageFolder.DEFAULT_SIZE, ImageFolder.DEFAULT_SIZE, Normalization.INSIGHTFACE);
    }

    /**
     * Opens {@code rec} with the {@code .idx} beside it, RGB.
     *
     * @param rec the {@code .rec} file
     * @param height output height
     * @param width output width
     * @param normalization the pixel normalization
     * @return the dataset; close it to close the file
     * @throws IOException if the files do not read, or a record or label is malformed
     */
    public static RecordIoDataset open(Path rec, int height, int width, Normalization normalization)
            throws IOException {
        return builder().setRec(rec).optSize(height, width).optNormalization(normalization).build();
    }

    private static RecordIoDataset open(Builder b) throws IOException {
        Path rec = b.rec;
        RecordIoReader reader = RecordIoReader.open(rec);
        try {
            long[] keys;
            int[] header0 = null;
            RecordIoItem first = reader.contains(0) ? reader.item(0) : null;
            if (first != null && first.flag() > 0) {
                if (first.flag() < 2) {
                    throw new IOException(rec + ": key 0: header record has " + first.flag()
                            + " label, expected 2 ([first key after images, end of identity keys])");
                }
                header0 = new int[] {(int) first.labels()[0], (int) first.labels()[1]};
                keys = new long[Math.max(0, header0[0] - 1)];
                for (int i = 0; i < keys.length; i++) {
                    keys[i] = i + 1;
                }
            } else {
                keys = reader.keys().stream().mapToLong(Long::longValue).toArray();
            }
            int[] labels = new int[keys.length];
            for (int i = 0; i < keys.length; i++) {
                float c = reader.item(keys[i]).classLabel();
                if (c < 0 || c != Math.rint(c)) {
                    throw new IOException(rec + ": key " + keys[i] + ": class label " + c
                            + ", expected a non-negative integer");
                }
                labels[i] = (int) c;
            }
            return new RecordIoDataset(reader, keys, labels, header0, b.height, b.width, b.channels,
                    b.normalization, b.threads);
        } catch (IOException | RuntimeException e) {
            reader.close();
            throw e;
        }
    }

    @Override
    public int size() {
        return keys.length;
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
        return numClasses;
    }

    @Override
    public String name(int index) {
        return Long.toString(key(index));
    }

    /** The RecordIO key of item {@code index}. */
    public long key(int index) {
        return keys[LabeledImages.checkIndex(this, index)];
    }

    /** MXFaceDataset's {@code header0} (record 0's two labels), or null when record 0 has none. */
    public List<Integer> header0() {
        return header0 == null ? null : List.of(header0[0], header0[1]);
    }

    /** The reader of the underlying files. */
    public RecordIoReader reader() {
        return reader;
    }

    /** The encoded image bytes of item {@code index}. */
    public byte[] imageBytes(int index) throws IOException {
        return reader.item(key(index)).image();
    }

    /** Item {@code index} decoded at its own size, {@code TYPE_INT_RGB}. */
    public BufferedImage decode(int index) throws IOException {
        return ImageDecoder.read(imageBytes(index), reader.path() + " key " + key(index));
    }

    @Override
    public void image(int index, float[] dst, int offset) {
        BufferedImage img;
        try {
            img = decode(index);
        } catch (IOException e) {
            throw new UncheckedIOException("image " + index + " (" + reader.path() + " key "
                    + keys[index] + ") does not decode: " + e.getMessage(), e);
        }
        Pixels.writeChw(Pixels.packed(Pixels.toRgb(img, height, width)), channels, table, dst, offset);
    }

    /** The number of decoding threads of {@link #batch}. */
    public int threads() {
        return threads;
    }

    /**
     * B x C x H x W FLOAT32 batch, decoded on {@link #threads} threads (serially when 1), then
     * created once on {@code manager}.
     */
    @Override
    public NDArray batch(NDManager manager, int[] indices) {
        int n = imageSize();
        float[] buf = new float[Math.multiplyExact(indices.length, n)];
        for (int index : indices) {
            LabeledImages.checkIndex(this, index);
        }
        int parts = Math.min(threads, indices.length);
        if (parts <= 1) {
            for (int i = 0; i < indices.length; i++) {
                image(indices[i], buf, i * n);
            }
        } else {
            ExecutorService p = pool();
            List<Future<?>> done = new ArrayList<>(parts);
            for (int t = 0; t < parts; t++) {
                int from = (int) ((long) indices.length * t / parts);
                int to = (int) ((long) indices.length * (t + 1) / parts);
                done.add(p.submit(() -> {
                    for (int i = from; i < to; i++) {
                        image(indices[i], buf, i * n);
                    }
                }));
            }
            for (Future<?> f : done) {
                try {
                    f.get();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while decoding a batch", e);
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof RuntimeException r) {
                        throw r;
                    }
                    throw new IllegalStateException(e.getCause());
                }
            }
        }
        return manager.create(buf, new Shape(indices.length, channels, height, width));
    }

    private synchronized ExecutorService pool() {
        if (pool == null) {
            AtomicInteger count = new AtomicInteger();
            pool = Executors.newFixedThreadPool(threads, r -> {
                Thread t = new Thread(r, "recordio-decode-" + count.incrementAndGet());
                t.setDaemon(true);
                return t;
            });
        }
        return pool;
    }

    @Override
    public void close() throws IOException {
        synchronized (this) {
            if (pool != null) {
                pool.shutdownNow();
                pool = null;
            }
        }
        reader.close();
    }

    /** Builder of {@link RecordIoDataset}. */
    public static final class Builder {
        private Path rec;
        private int height = ImageFolder.DEFAULT_SIZE;
        private int width = ImageFolder.DEFAULT_SIZE;
        private int channels = 3;
        private Normalization normalization = Normalization.INSIGHTFACE;
        private int threads = Runtime.getRuntime().availableProcessors();

        private Builder() {}

        /** The {@code .rec} file, with its {@code .idx} beside it (required). */
        public Builder setRec(Path rec) {
            this.rec = Objects.requireNonNull(rec, "rec");
            return this;
        }

        /** Output height and width (default 112 x 112, InsightFace's crops). */
        public Builder optSize(int height, int width) {
            Pixels.checkSize(height, width);
            this.height = height;
            this.width = width;
            return this;
        }

        /** 3 for RGB, 1 for BT.601 luma (default 3). */
        public Builder optChannels(int channels) {
            this.channels = Pixels.checkChannels(channels);
            return this;
        }

        /** The pixel normalization (default InsightFace's \( (v - 127.5) / 127.5 \)). */
        public Builder optNormalization(Normalization normalization) {
            this.normalization = Objects.requireNonNull(normalization, "normalization");
            return this;
        }

        /** Decoding threads of {@code batch} (default the available processors; 1 decodes serially). */
        public Builder optThreads(int threads) {
            Inputs.atLeast("threads", threads, 1);
            this.threads = threads;
            return this;
        }

        /**
         * Opens the files and reads every item's header.
         *
         * @throws IOException if the files do not read, or a record or label is malformed
         */
        public RecordIoDataset build() throws IOException {
            if (rec == null) {
                throw new IllegalArgumentException("rec must be set (setRec), got null");
            }
            return open(this);
        }
    }

    @Override
    public String toString() {
        return "RecordIoDataset(" + reader.path() + ", images=" + keys.length + ", classes="
                + numClasses + ", size=" + channels + " x " + height + " x " + width + ", threads=" + threads + ")";
    }
}
