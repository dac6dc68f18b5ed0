package org.metric4j.model;

import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.norm.Dropout;
import ai.djl.training.initializer.Initializer;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.training.initializer.XavierInitializer;
import java.util.Arrays;
import org.metric4j.math.Inputs;

/**
 * InsightFace's iResNet (Duta et al. 2020, arXiv:2004.04989; ArcFace, arXiv:1801.07698) exactly as
 * {@code recognition/arcface_torch/backbones/iresnet.py} defines {@code IResNet(IBasicBlock,
 * layers, dropout, num_features)} at InsightFace commit 7fadd420c2351d0ffa8cac403421c1a3ed733365,
 * for 112 x 112 inputs (fc_scale 7 x 7).
 *
 * <p>Stem {@code conv1} (3 x 3, 64, stride 1) - {@code bn1} - {@code prelu}; four stages {@code
 * layer1..4} of widths 64, 128, 256, 512 with {@code layers[i]} blocks each, the first of each with
 * stride 2. An {@code IBasicBlock} computes \( y = \mathrm{BN_3}(\mathrm{conv_2}(\mathrm{PReLU}(
 * \mathrm{BN_2}(\mathrm{conv_1}(\mathrm{BN_1}(x)))))) + s(x) \) with conv1 3 x 3 stride 1, conv2
 * 3 x 3 with the block's stride, and \( s \) the identity or, for the first block of a stage,
 * {@code downsample} = 1 x 1 strided conv + BN. Output: {@code bn2} - dropout - flatten - {@code
 * fc} (25088 -> F) - {@code features} (BatchNorm1d whose weight stays 1: applied, loadable, not
 * trained). Convolutions have no bias; every BatchNorm has eps 1e-5 and PyTorch momentum 0.1.
 *
 * <p>Initialization as InsightFace: conv weights N(0, 0.1), BatchNorm scale 1 and shift 0, PReLU
 * slopes 0.25, {@code fc.weight} U(-1/sqrt(fan_in), 1/sqrt(fan_in)) (PyTorch's Linear default).
 * One departure: {@code fc.bias} starts at 0 instead of PyTorch's U(-1/sqrt(fan_in), ...).
 * {@code zero_init_residual}, groups, width_per_group, dilation and fp16 are not offered (their
 * InsightFace defaults are what this block does).
 */
public final class IResNet extends TorchBackbone {

    /** Default embedding size F (InsightFace's num_features). */
    public static final int DEFAULT_NUM_FEATURES = 512;
    /** Default dropout rate before fc (InsightFace's dropout). */
    public static final float DEFAULT_DROPOUT = 0f;
    /** Standard deviation of the convolution weights at initialization. */
    public static final float CONV_INIT_STD = 0.1f;

    private static final int[] WIDTHS = {64, 128, 256, 512};

    private final int[] layers;
    private final float dropout;

    private IResNet(SequentialBlock net, TorchLayers torch, Builder b) {
        super(net, torch, b.numFeatures);
        this.layers = b.layers.clone();
        this.dropout = b.dropout;
    }

    /** A builder; {@link Builder#setLayers} is required. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The block counts of InsightFace's named depths: 18, 34, 50, 100, 200 give [2,2,2,2],
     * [3,4,6,3], [3,4,14,3], [3,13,30,3], [6,26,60,6].
     */
    public static int[] layersOfDepth(int depth) {
        return switch (depth) {
            case 18 -> new int[] {2, 2, 2, 2};
            case 34 -> new int[] {3, 4, 6, 3};
            case 50 -> new int[] {3, 4, 14, 3};
            case 100 -> new int[] {3, 13, 30, 3};
            case 200 -> new int[] {6, 26, 60, 6};
            default -> throw new IllegalArgumentException(
                    "iresnet depth must be one of 18, 34, 50, 100, 200, got " + depth);
        };
    }

    /** The block counts of the four stages. */
    public int[] layers() {
        return layers.clone();
    }

    /** The dropout rate before fc. */
    public float dropout() {
        return dropout;
    }

    @Override
    public String toString() {
        return "IResNet(layers=" + Arrays.toString(layers) + ", numFeatures=" + numFeatures()
                + ", dropout=" + dropout + ")";
    }

    private static SequentialBlock network(TorchLayers t, Builder b) {
        Initializer convInit = new NormalInitializer(CONV_INIT_STD);
        SequentialBlock net = new EagerSequentialBlock();
        net.add(t.convBn("conv1", "bn1", 64, 3, 1, 1, 1, convInit)).add(t.prelu("prelu"));
        int inplanes = 64;
        for (int stage = 0; stage < 4; stage++) {
            int planes = WIDTHS[stage];
            for (int i = 0; i < b.layers[stage]; i++) {
                String key = "layer" + (stage + 1) + "." + i;
                int stride = i == 0 ? 2 : 1;
                net.add(basicBlock(t, key, inplanes, planes, stride, convInit));
                inplanes = planes;
            }
        }
        net.add(t.batchNorm("bn2"));
        net.add(Blocks.batchFlattenBlock());
        if (b.dropout > 0) {
            net.add(Dropout.builder().optRate(b.dropout).build());
        }
        // PyTorch's Linear default: kaiming_uniform(a = sqrt 5) = U(-1/sqrt(fan_in), 1/sqrt(fan_in));
        // DJL's uniform Xavier draws from U(-sqrt(magnitude / fan), sqrt(magnitude / fan))
        Initializer fcInit = new XavierInitializer(
                XavierInitializer.RandomType.UNIFORM, XavierInitializer.FactorType.IN, 1f);
        net.add(t.linear("fc", b.numFeatures, true, fcInit));
        net.add(t.batchNormFrozenScale("features"));
        return net;
    }

    /** IBasicBlock(inplanes, planes, stride, downsample) with the keys of {@code prefix}. */
    private static Block basicBlock(TorchLayers t, String prefix, int inplanes, int planes, int stride,
            Initializer convInit) {
        SequentialBlock residual = new EagerSequentialBlock()
                .add(t.batchNorm(prefix + ".bn1"))
                .add(t.convBn(prefix + ".conv1", prefix + ".bn2", planes, 3, 1, 1, 1, convInit))
                .add(t.prelu(prefix + ".prelu"))
                .add(t.convBn(prefix + ".conv2", prefix + ".bn3", planes, 3, stride, 1, 1, convInit));
        Block shortcut = stride != 1 || inplanes != planes
                ? t.convBn(prefix + ".downsample.0", prefix + ".downsample.1", planes, 1, stride, 0, 1, convInit)
                : Blocks.identityBlock();
        return TorchLayers.sum(residual, shortcut);
    }

    /** Builds an {@link IResNet}. */
    public static final class Builder {
        private int[] layers;
        private int numFeatures = DEFAULT_NUM_FEATURES;
        private float dropout = DEFAULT_DROPOUT;

        private Builder() {}

        /** The number of IBasicBlocks in each of the four stages (required; each >= 1). */
        public Builder setLayers(int... layers) {
            this.layers = layers.clone();
            return this;
        }

        /** The embedding size F, default {@value IResNet#DEFAULT_NUM_FEATURES}. */
        public Builder optNumFeatures(int numFeatures) {
            this.numFeatures = numFeatures;
            return this;
        }

        /** The dropout rate before fc, in [0, 1), default {@value IResNet#DEFAULT_DROPOUT}. */
        public Builder optDropout(float dropout) {
            this.dropout = dropout;
            return this;
        }

        /** The block, not yet initialized. */
        public IResNet build() {
            if (layers == null || layers.length != 4 || Arrays.stream(layers).anyMatch(n -> n < 1)) {
                throw new IllegalArgumentException("iresnet layers must be 4 block counts >= 1, got "
                        + (layers == null ? "none" : Arrays.toString(layers)));
            }
            Inputs.atLeast("iresnet numFeatures", numFeatures, 1);
            if (!(dropout >= 0 && dropout < 1)) {
                throw new IllegalArgumentException("iresnet dropout must be in [0, 1), got " + dropout);
            }
            TorchLayers t = new TorchLayers();
            return new IResNet(network(t, this), t, this);
        }
    }
}
