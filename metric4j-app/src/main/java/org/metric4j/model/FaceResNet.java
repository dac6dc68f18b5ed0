package org.metric4j.model;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.ParallelBlock;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.norm.Dropout;
import java.util.Arrays;

/**
 * A small residual network for 112 x 112 faces in InsightFace's "IR" style (Deng et al. 2019,
 * arXiv:1801.07698): a 3 x 3 stem at full resolution, then stages of improved residual units
 * BN-Conv-BN-PReLU-Conv-BN (the first of each stage with stride 2, its shortcut a strided 1 x 1
 * convolution with BN), and the "E" output block: BN, dropout, flatten, fully connected, BN,
 * giving the embedding (512-d by default).
 *
 * <p>Defaults are small enough to train on a CPU: stem {@value #DEFAULT_STEM} channels, stages
 * (32, 64, 128, 128) with one unit each (112 -> 7), dropout {@value #DEFAULT_DROPOUT}.
 */
public final class FaceResNet {

    /** Default embedding size (ArcFace). */
    public static final int DEFAULT_EMBEDDING = 512;
    /** Default stem width. */
    public static final int DEFAULT_STEM = 16;
    /** Default dropout before the embedding layer. */
    public static final float DEFAULT_DROPOUT = 0.2f;
    /** Default stage widths. */
    static final int[] DEFAULT_WIDTHS = {32, 64, 128, 128};

    private FaceResNet() {}

    /** The default network with the given embedding size. */
    public static Block create(int embeddingSize) {
        return create(embeddingSize, DEFAULT_STEM, DEFAULT_WIDTHS, 1, DEFAULT_DROPOUT);
    }

    /**
     * A network.
     *
     * @param embeddingSize output size
     * @param stem stem channels
     * @param widths channels of each stage (each stage halves the resolution)
     * @param unitsPerStage residual units per stage (>= 1)
     * @param dropout dropout rate before the embedding layer, in [0, 1)
     * @return the block (input N x C x H x W)
     */
    public static Block create(int embeddingSize, int stem, int[] widths, int unitsPerStage, float dropout) {
        if (embeddingSize < 1 || stem < 1 || widths.length == 0 || unitsPerStage < 1
                || !(dropout >= 0 && dropout < 1)) {
            throw new IllegalArgumentException("invalid FaceResNet: embeddingSize=" + embeddingSize
                    + ", stem=" + stem + ", widths=" + Arrays.toString(widths) + ", units=" + unitsPerStage
                    + ", dropout=" + dropout + " (expected positive sizes and dropout in [0, 1))");
        }
        SequentialBlock net = new SequentialBlock();
        net.add(conv(stem, 3, 1)).add(BatchNorm.builder().build()).add(new ChannelPRelu());
        for (int width : widths) {
            for (int u = 0; u < unitsPerStage; u++) {
                net.add(unit(width, u == 0 ? 2 : 1));
            }
        }
        net.add(BatchNorm.builder().build());
        if (dropout > 0) {
            net.add(Dropout.builder().optRate(dropout).build());
        }
        net.add(Blocks.batchFlattenBlock());
        net.add(Linear.builder().setUnits(embeddingSize).build());
        net.add(BatchNorm.builder().optScale(false).build());
        return Initializers.standard(net);
    }

    /** An improved residual unit; stride 2 halves the resolution (with a projected shortcut). */
    static Block unit(int width, int stride) {
        SequentialBlock residual = new SequentialBlock()
                .add(BatchNorm.builder().build())
                .add(conv(width, 3, 1))
                .add(BatchNorm.builder().build())
                .add(new ChannelPRelu())
                .add(conv(width, 3, stride))
                .add(BatchNorm.builder().build());
        Block shortcut = stride == 1
                ? Blocks.identityBlock()
                : new SequentialBlock().add(conv(width, 1, stride)).add(BatchNorm.builder().build());
        return new ParallelBlock(
                list -> new NDList(list.get(0).singletonOrThrow().add(list.get(1).singletonOrThrow())),
                Arrays.asList(residual, shortcut));
    }

    private static Conv2d conv(int channels, int kernel, int stride) {
        int pad = kernel / 2;
        return Conv2d.builder().setFilters(channels).setKernelShape(new Shape(kernel, kernel))
                .optStride(new Shape(stride, stride)).optPadding(new Shape(pad, pad)).optBias(false).build();
    }
}
