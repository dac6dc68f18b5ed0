package org.metric4j.model;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.ParameterList;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.training.initializer.Initializer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.metric4j.model.torch.StateEntry;

/**
 * Builds the DJL layers of a PyTorch module and records, as it goes, the {@code state_dict()}
 * entries each layer contributes, under its PyTorch key and in PyTorch's order (the order in
 * which the module's {@code __init__} registers them, which is the order of the calls here).
 *
 * <p>Layers and their entries, with PyTorch's defaults where DJL's differ:
 * <ul>
 *   <li>{@code Conv2d}: {@code weight} [out, in / groups, kh, kw], no bias (as every convolution
 *       of arcface_torch's iResNet and MobileFaceNet).
 *   <li>{@code BatchNorm{1,2}d}: {@code weight} = gamma, {@code bias} = beta, {@code running_mean},
 *       {@code running_var}, {@code num_batches_tracked} (an int64 counter held here); eps 1e-5,
 *       PyTorch momentum 0.1 = DJL momentum 0.9.
 *   <li>{@code PReLU(C)}: {@code weight} [C], see {@link ChannelPRelu}.
 *   <li>{@code Linear}: {@code weight} [out, in], {@code bias} [out] if it has one.
 * </ul>
 */
final class TorchLayers {

    /** PyTorch's BatchNorm eps. */
    static final float BN_EPS = 1e-5f;
    /** PyTorch's BatchNorm eps as the double it is (the eval-mode folds use it; see {@link ConvBatchNorm}). */
    static final double BN_EPS_EXACT = 1e-5;
    /** PyTorch's BatchNorm momentum 0.1 as DJL's (the weight of the old running value). */
    static final float BN_MOMENTUM = 0.9f;

    private final List<StateEntry> entries = new ArrayList<>();
    private final List<AtomicLong> counters = new ArrayList<>();

    /** A bias-free convolution with a square kernel, stride and padding; its weight drawn by {@code init}. */
    Conv2d conv(String key, int out, int kernel, int stride, int padding, int groups, Initializer init) {
        Conv2d conv = Conv2d.builder().setFilters(out).setKernelShape(new Shape(kernel, kernel))
                .optStride(new Shape(stride, stride)).optPadding(new Shape(padding, padding))
                .optGroups(groups).optBias(false).build();
        Parameter weight = conv.getParameters().get("weight");
        weight.setInitializer(init);
        entries.add(StateEntry.of(key + ".weight", weight));
        return conv;
    }

    /**
     * A bias-free convolution ({@code convKey}) followed by a BatchNorm ({@code bnKey}), folded
     * into one convolution in inference: see {@link ConvBatchNorm}.
     */
    ConvBatchNorm convBn(String convKey, String bnKey, int out, int kernel, int stride, int padding, int groups,
            Initializer init) {
        Conv2d c = conv(convKey, out, kernel, stride, padding, groups, init);
        return new ConvBatchNorm(c, batchNorm(bnKey), stride, padding, groups);
    }

    /** A BatchNorm over axis 1 (BatchNorm1d on N x C, BatchNorm2d on N x C x H x W). */
    BatchNorm batchNorm(String key) {
        return batchNorm(key, true);
    }

    /**
     * A BatchNorm whose scale (PyTorch {@code weight}) is not trained: it is applied, starts at
     * 1 and can be loaded, but has {@code requires_grad = False}.
     */
    BatchNorm batchNormFrozenScale(String key) {
        return batchNorm(key, false);
    }

    private BatchNorm batchNorm(String key, boolean trainScale) {
        BatchNorm bn = BatchNorm.builder().optEpsilon(BN_EPS).optMomentum(BN_MOMENTUM)
                .optScale(trainScale).build();
        ParameterList p = bn.getParameters();
        AtomicLong tracked = new AtomicLong();
        counters.add(tracked);
        entries.add(StateEntry.of(key + ".weight", p.get("gamma")));
        entries.add(StateEntry.of(key + ".bias", p.get("beta")));
        entries.add(StateEntry.of(key + ".running_mean", p.get("runningMean")));
        entries.add(StateEntry.of(key + ".running_var", p.get("runningVar")));
        entries.add(StateEntry.counter(key + ".num_batches_tracked", tracked));
        return bn;
    }

    /** A per-channel PReLU. */
    ChannelPRelu prelu(String key) {
        ChannelPRelu prelu = new ChannelPRelu();
        entries.add(StateEntry.of(key + ".weight", prelu.getParameters().get("alpha")));
        return prelu;
    }

    /** A fully connected layer on N x in; its weight drawn by {@code init}, its bias zero. */
    Linear linear(String key, int out, boolean bias, Initializer init) {
        Linear linear = Linear.builder().setUnits(out).optBias(bias).build();
        Parameter weight = linear.getParameters().get("weight");
        weight.setInitializer(init);
        entries.add(StateEntry.of(key + ".weight", weight));
        if (bias) {
            entries.add(StateEntry.of(key + ".bias", linear.getParameters().get("bias")));
        }
        return linear;
    }

    /** \( y = f(x) + g(x) \): a residual block's output with its shortcut {@code g}. */
    static Block sum(Block f, Block g) {
        return new ResidualSum(f, g);
    }

    /** The recorded entries, in PyTorch's order. */
    List<StateEntry> entries() {
        return Collections.unmodifiableList(new ArrayList<>(entries));
    }

    /**
     * Counts one training batch on every BatchNorm, as PyTorch does in a train-mode forward
     * (valid for networks that call each BatchNorm once per forward, as both backbones do).
     */
    void countTrainingBatch() {
        for (AtomicLong c : counters) {
            c.incrementAndGet();
        }
    }
}
