package org.metric4j.model;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.pooling.Pool;
import org.metric4j.math.Inputs;

/**
 * LeNet++ (Wen et al. 2016, "A Discriminative Feature Learning Approach for Deep Face
 * Recognition", Fig. 2): three stages of two 5 x 5 convolutions with PReLU (32, 64, 128
 * channels, padding 2) each followed by 2 x 2 max pooling, then a fully connected embedding
 * layer. With an embedding of 2 or 3 dimensions it draws the feature plots of the center-loss,
 * SphereFace and ArcFace papers; for accuracy use more (say 64). A narrower network ({@link
 * #create(int, boolean, int)}: width, 2 width, 4 width channels) needs about (width / 32)^2 of
 * the paper's multiply-adds per image.
 *
 * <p>Input N x 1 x 28 x 28 (MNIST-sized, any channels and size work); output N x embeddingSize.
 */
public final class LeNetPlusPlus {

    /** Default embedding size (the papers' feature plots). */
    public static final int DEFAULT_EMBEDDING = 2;

    private LeNetPlusPlus() {}

    /** The network with the given embedding size (>= 1). */
    public static Block create(int embeddingSize) {
        return create(embeddingSize, false, DEFAULT_WIDTH);
    }

    /** The paper's channels of the first stage (the later stages double them). */
    public static final int DEFAULT_WIDTH = 32;

    /**
     * The network with {@code width} channels in the first stage ({@link #stageChannels}; the
     * paper's is {@value #DEFAULT_WIDTH}). With {@code batchNorm} a BatchNorm (with learned scale
     * and shift) follows the embedding layer, as InsightFace's backbones end: it bounds the
     * feature norms that the normalized heads leave free to grow.
     */
    public static Block create(int embeddingSize, boolean batchNorm, int width) {
        Inputs.atLeast("embeddingSize", embeddingSize, 1);
        Inputs.atLeast("width", width, 1);
        SequentialBlock net = new SequentialBlock();
        for (int channels : stageChannels(width)) {
            net.add(conv(channels)).add(new ChannelPRelu()).add(conv(channels)).add(new ChannelPRelu())
                    .add(Pool.maxPool2dBlock(new Shape(2, 2), new Shape(2, 2)));
        }
        net.add(Blocks.batchFlattenBlock());
        net.add(Linear.builder().setUnits(embeddingSize).build());
        if (batchNorm) {
            net.add(ai.djl.nn.norm.BatchNorm.builder().build());
        }
        return Initializers.standard(net);
    }

    /** The channels of the three stages at the given width: width, 2 width, 4 width. */
    public static int[] stageChannels(int width) {
        return new int[] {width, 2 * width, 4 * width};
    }

    private static Conv2d conv(int channels) {
        return Conv2d.builder().setFilters(channels).setKernelShape(new Shape(5, 5))
                .optPadding(new Shape(2, 2)).build();
    }
}
