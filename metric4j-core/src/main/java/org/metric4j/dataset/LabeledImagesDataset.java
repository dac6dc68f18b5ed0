package org.metric4j.dataset;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.dataset.Batch;
import ai.djl.training.dataset.DataIterable;
import ai.djl.training.dataset.RandomAccessDataset;
import ai.djl.training.dataset.Record;
import ai.djl.training.dataset.Sampler;
import ai.djl.translate.Batchifier;
import ai.djl.util.Progress;
import java.io.IOException;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutorService;

/**
 * {@link LabeledImages} as a DJL {@link RandomAccessDataset}, for a stock {@code Trainer} /
 * {@code EasyTrain.fit}. A record is (C x H x W FLOAT32 image, INT64 scalar label); a batch is
 * (B x C x H x W, B). Use a {@link org.metric4j.sampler.PxKSampler} or {@link org.metric4j.sampler.ShuffleSampler} with
 * {@code setSampling(sampler)}.
 *
 * <p>Without transforms and with the default stacking batchifiers, a batch is built with one
 * {@link LabeledImages#batch} call (one array creation) instead of one array per item.
 */
public final class LabeledImagesDataset extends RandomAccessDataset {

    private final LabeledImages images;

    private LabeledImagesDataset(Builder builder) {
        super(builder);
        this.images = builder.images;
    }

    /** A builder; set the images and the sampler. */
    public static Builder builder() {
        return new Builder();
    }

    /** The images. */
    public LabeledImages images() {
        return images;
    }

    @Override
    public Record get(NDManager manager, long index) {
        int i = LabeledImages.checkIndex(images, Math.toIntExact(index));
        float[] buf = new float[images.imageSize()];
        images.image(i, buf, 0);
        NDArray x = manager.create(
                buf, new Shape(images.channels(), images.height(), images.width()));
        return new Record(new NDList(x), new NDList(manager.create(images.label(i))));
    }

    @Override
    protected long availableSize() {
        return images.size();
    }

    @Override
    public void prepare(Progress progress) {
        // in memory or decoded lazily: nothing to prepare
    }

    @Override
    public Iterable<Batch> getData(NDManager manager) {
        return getData(manager, sampler, null);
    }

    @Override
    public Iterable<Batch> getData(NDManager manager, ExecutorService executorService) {
        return getData(manager, sampler, executorService);
    }

    @Override
    public Iterable<Batch> getData(NDManager manager, Sampler sampler) {
        return getData(manager, sampler, null);
    }

    @Override
    public Iterable<Batch> getData(NDManager manager, Sampler sampler, ExecutorService executor) {
        return new BulkIterable(this, manager, sampler, executor);
    }

    /** DJL's iterable with a bulk {@code fetch} when no transform or custom batchifier is set. */
    private static final class BulkIterable extends DataIterable {

        BulkIterable(LabeledImagesDataset ds, NDManager manager, Sampler sampler,
                ExecutorService executor) {
            super(ds, manager, sampler, ds.dataBatchifier, ds.labelBatchifier, ds.pipeline,
                    ds.targetPipeline, executor, ds.prefetchNumber, ds.device);
        }

        @Override
        protected Batch fetch(List<Long> indices, int progress) throws IOException {
            if (pipeline != null || targetPipeline != null || dataBatchifier != Batchifier.STACK
                    || labelBatchifier != Batchifier.STACK) {
                return super.fetch(indices, progress);
            }
            LabeledImages images = ((LabeledImagesDataset) dataset).images;
            int[] idx = indices.stream().mapToInt(Math::toIntExact).toArray();
            NDManager sub = manager.newSubManager();
            NDList data = new NDList(images.batch(sub, idx));
            NDList labels = new NDList(images.labels(sub, idx));
            if (device != null) {
                data = data.toDevice(device, false);
                labels = labels.toDevice(device, false);
            }
            return new Batch(sub, data, labels, idx.length, dataBatchifier, labelBatchifier,
                    progress, dataset.size(), indices);
        }
    }

    /** Builder of {@link LabeledImagesDataset}. */
    public static final class Builder extends BaseBuilder<Builder> {
        private LabeledImages images;

        private Builder() {}

        /** The images (required). */
        public Builder setImages(LabeledImages images) {
            this.images = Objects.requireNonNull(images, "images");
            return this;
        }

        @Override
        protected Builder self() {
            return this;
        }

        /** The dataset; the sampler must be set ({@code setSampling}). */
        public LabeledImagesDataset build() {
            if (images == null) {
                throw new IllegalArgumentException("images must be set (setImages), got null");
            }
            if (sampler == null) {
                throw new IllegalArgumentException("sampler must be set (setSampling with a"
                        + " PxKSampler or ShuffleSampler), got null");
            }
            return new LabeledImagesDataset(this);
        }
    }
}
