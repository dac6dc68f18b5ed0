package org.metric4j.model;

import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.SequentialBlock;
import ai.djl.training.initializer.Initializer;
import ai.djl.training.initializer.XavierInitializer;
import java.util.Arrays;
import org.metric4j.math.Inputs;

/**
 * InsightFace's MobileFaceNet (Chen et al. 2018, arXiv:1804.07573) exactly as {@code
 * recognition/arcface_torch/backbones/mobilefacenet.py} defines {@code MobileFaceNet(fp16=False,
 * num_features, blocks, scale)} at InsightFace commit 7fadd420c2351d0ffa8cac403421c1a3ed733365:
 * {@code get_mbf} is the default builder (blocks (1, 4, 6, 2), scale 2), {@code get_mbf_large}
 * is {@link #largeBuilder()} (blocks (2, 8, 12, 4), scale 4). Input N x 3 x 112 x 112.
 *
 * <p>With \( s \) the scale and \( b \) the blocks, the modules are: {@code layers.0} ConvBlock(3,
 * 64s, 3 x 3, stride 2); {@code layers.1} ConvBlock(64s, 64s, 3 x 3, groups 64) if \( b_0 = 1 \),
 * else Residual(64s, \( b_0 \), groups 128); {@code layers.2} DepthWise(64s, 64s, stride 2, groups
 * 128); {@code layers.3} Residual(64s, \( b_1 \), groups 128); {@code layers.4} DepthWise(64s,
 * 128s, stride 2, groups 256); {@code layers.5} Residual(128s, \( b_2 \), groups 256); {@code
 * layers.6} DepthWise(128s, 128s, stride 2, groups 512); {@code layers.7} Residual(128s, \( b_3
 * \), groups 256); {@code conv_sep} ConvBlock(128s, 512, 1 x 1); {@code features} GDC: a 7 x 7
 * depthwise LinearBlock(512, 512), flatten, Linear(512, F, no bias), BatchNorm1d(F).
 *
 * <p>ConvBlock = conv (no bias) - BatchNorm - per-channel PReLU; LinearBlock = conv - BatchNorm;
 * DepthWise(in, out, groups g) = ConvBlock(in, g, 1 x 1) - ConvBlock(g, g, 3 x 3, groups g, pad
 * 1) - LinearBlock(g, out, 1 x 1), plus its input in a Residual; Residual(c, n, g) = n such
 * DepthWise(c, c, stride 1, groups g) with shortcuts. BatchNorm: eps 1e-5, PyTorch momentum 0.1.
 *
 * <p>Initialization as InsightFace's {@code _initialize_weights}: conv and linear weights
 * kaiming normal (fan_out, ReLU gain): N(0, 2 / fan_out); BatchNorm2d scale 1, shift 0; PReLU
 * slopes 0.25; the last BatchNorm1d scale 1, shift 0 (PyTorch's defaults).
 */
public final class MobileFaceNet extends TorchBackbone {

    /** Default embedding size F. */
    public static final int DEFAULT_NUM_FEATURES = 512;
    /** Default width multiplier of get_mbf. */
    public static final int DEFAULT_SCALE = 2;
    /** Width multiplier of get_mbf_large. */
    public static final int LARGE_SCALE = 4;
    /** Width of the last convolution and of GDC (fixed in InsightFace). */
    static final int GDC_WIDTH = 512;

    private static final int[] DEFAULT_BLOCKS = {1, 4, 6, 2};
    private static final int[] LARGE_BLOCKS = {2, 8, 12, 4};

    private final int[] blocks;
    private final int scale;

    private MobileFaceNet(SequentialBlock net, TorchLayers torch, Builder b) {
        super(net, torch, b.numFeatures);
        this.blocks = b.blocks.clone();
        this.scale = b.scale;
    }

    /** A builder with get_mbf's defaults: blocks (1, 4, 6, 2), scale {@value #DEFAULT_SCALE}, F 512. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder with get_mbf_large's defaults: blocks (2, 8, 12, 4), scale {@value #LARGE_SCALE}, F 512. */
    public static Builder largeBuilder() {
        return new Builder().optBlocks(LARGE_BLOCKS).optScale(LARGE_SCALE);
    }

    /** The block counts of the four residual stages. */
    public int[] blocks() {
        return blocks.clone();
    }

    /** The width multiplier. */
    public int scale() {
        return scale;
    }

    @Override
    public String toString() {
        return "MobileFaceNet(blocks=" + Arrays.toString(blocks) + ", scale=" + scale
                + ", numFeatures=" + numFeatures() + ")";
    }

    /** Kaiming normal, fan_out, ReLU gain: N(0, 2 / fan_out) with fan_out = out x kh x kw. */
    private static Initializer kaimingFanOut() {
        return new XavierInitializer(XavierInitializer.RandomType.GAUSSIAN, XavierInitializer.FactorType.OUT, 2f);
    }

    private static SequentialBlock network(TorchLayers t, Builder b) {
        int s = b.scale;
        int[] n = b.blocks;
        SequentialBlock net = new EagerSequentialBlock();
        net.add(convBlock(t, "layers.0", 64 * s, 3, 2, 1, 1));
        net.add(n[0] == 1
                ? convBlock(t, "layers.1", 64 * s, 3, 1, 1, 64)
                : residual(t, "layers.1", 64 * s, n[0], 128));
        net.add(depthWise(t, "layers.2", 64 * s, 2, 128, false));
        net.add(residual(t, "layers.3", 64 * s, n[1], 128));
        net.add(depthWise(t, "layers.4", 128 * s, 2, 256, false));
        net.add(residual(t, "layers.5", 128 * s, n[2], 256));
        net.add(depthWise(t, "layers.6", 128 * s, 2, 512, false));
        net.add(residual(t, "layers.7", 128 * s, n[3], 256));
        net.add(convBlock(t, "conv_sep", GDC_WIDTH, 1, 1, 0, 1));
        // GDC
        net.add(linearBlock(t, "features.layers.0", GDC_WIDTH, 7, 1, 0, GDC_WIDTH));
        net.add(Blocks.batchFlattenBlock());
        net.add(t.linear("features.layers.2", b.numFeatures, false, kaimingFanOut()));
        net.add(t.batchNorm("features.layers.3"));
        return net;
    }

    /** ConvBlock: conv - BN - PReLU, keys {@code prefix.layers.{0,1,2}}. */
    private static Block convBlock(TorchLayers t, String prefix, int out, int kernel, int stride, int pad, int groups) {
        return new EagerSequentialBlock()
                .add(t.convBn(prefix + ".layers.0", prefix + ".layers.1", out, kernel, stride, pad, groups,
                        kaimingFanOut()))
                .add(t.prelu(prefix + ".layers.2"));
    }

    /** LinearBlock: conv - BN, keys {@code prefix.layers.{0,1}}. */
    private static Block linearBlock(TorchLayers t, String prefix, int out, int kernel, int stride, int pad, int groups) {
        return t.convBn(prefix + ".layers.0", prefix + ".layers.1", out, kernel, stride, pad, groups,
                kaimingFanOut());
    }

    /** DepthWise(in, out, residual, 3 x 3, stride, pad 1, groups). */
    private static Block depthWise(TorchLayers t, String prefix, int out, int stride, int groups, boolean residual) {
        Block body = new EagerSequentialBlock()
                .add(convBlock(t, prefix + ".layers.0", groups, 1, 1, 0, 1))
                .add(convBlock(t, prefix + ".layers.1", groups, 3, stride, 1, groups))
                .add(linearBlock(t, prefix + ".layers.2", out, 1, 1, 0, 1));
        return residual ? TorchLayers.sum(body, Blocks.identityBlock()) : body;
    }

    /** Residual(c, n, groups): n residual DepthWise(c, c, stride 1), keys {@code prefix.layers.i}. */
    private static Block residual(TorchLayers t, String prefix, int c, int n, int groups) {
        SequentialBlock seq = new EagerSequentialBlock();
        for (int i = 0; i < n; i++) {
            seq.add(depthWise(t, prefix + ".layers." + i, c, 1, groups, true));
        }
        return seq;
    }

    /** Builds a {@link MobileFaceNet}. */
    public static final class Builder {
        private int numFeatures = DEFAULT_NUM_FEATURES;
        private int[] blocks = DEFAULT_BLOCKS.clone();
        private int scale = DEFAULT_SCALE;

        private Builder() {}

        /** The embedding size F, default {@value MobileFaceNet#DEFAULT_NUM_FEATURES}. */
        public Builder optNumFeatures(int numFeatures) {
            this.numFeatures = numFeatures;
            return this;
        }

        /** The block counts of the four stages (each >= 1), default (1, 4, 6, 2). */
        public Builder optBlocks(int... blocks) {
            this.blocks = blocks.clone();
            return this;
        }

        /** The width multiplier (>= 1), default {@value MobileFaceNet#DEFAULT_SCALE}. */
        public Builder optScale(int scale) {
            this.scale = scale;
            return this;
        }

        /** The block, not yet initialized. */
        public MobileFaceNet build() {
            if (blocks.length != 4 || Arrays.stream(blocks).anyMatch(k -> k < 1)) {
                throw new IllegalArgumentException(
                        "mobilefacenet blocks must be 4 block counts >= 1, got " + Arrays.toString(blocks));
            }
            Inputs.atLeast("mobilefacenet scale", scale, 1);
            Inputs.atLeast("mobilefacenet numFeatures", numFeatures, 1);
            TorchLayers t = new TorchLayers();
            return new MobileFaceNet(network(t, this), t, this);
        }
    }
}
