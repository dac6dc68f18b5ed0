package org.metric4j.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * A bias-free convolution followed by a BatchNorm (PyTorch's {@code Conv2d(bias=False)} then
 * {@code BatchNorm2d}), with the parameters of both children. In training it runs them one after
 * the other (batch statistics, running averages updated). In inference it folds the BatchNorm
 * into the convolution, \( W' = W s \), \( b' = \beta - \mu s \) with \( s = \gamma /
 * \sqrt{\sigma^2 + \epsilon} \) per output channel, and runs one convolution with bias: the same
 * function with one pass over the activations fewer, recomputed at every call from the current
 * parameters (so loading or training never leaves a stale copy), and with PyTorch's \( \epsilon =
 * 10^{-5} \) exactly (DJL's BatchNorm takes a float, 1e-5f, which costs 1e-9 relative in
 * float64). The fold rounds differently from the two-step form: measured on the fixtures, the
 * float32 outputs stay within 3e-6 x max|expected| (tolerance 1e-4).
 */
final class ConvBatchNorm extends AbstractBlock {

    private static final Shape DILATION = new Shape(1, 1);

    private final Conv2d conv;
    private final BatchNorm bn;
    private final Shape stride;
    private final Shape padding;
    private final int groups;

    ConvBatchNorm(Conv2d conv, BatchNorm bn, int stride, int padding, int groups) {
        this.conv = addChildBlock("conv", conv);
        this.bn = addChildBlock("bn", bn);
        this.stride = new Shape(stride, stride);
        this.padding = new Shape(padding, padding);
        this.groups = groups;
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        conv.initialize(manager, dataType, inputShapes);
        bn.initialize(manager, dataType, conv.getOutputShapes(inputShapes));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return conv.getOutputShapes(inputShapes);
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        if (training) {
            return bn.forward(ps, conv.forward(ps, inputs, true, params), true, params);
        }
        NDArray x = inputs.head();
        var p = bn.getParameters();
        var device = x.getDevice();
        NDArray w = ps.getValue(conv.getParameters().get("weight"), device, false);
        NDArray gamma = ps.getValue(p.get("gamma"), device, false);
        NDArray beta = ps.getValue(p.get("beta"), device, false);
        NDArray mean = ps.getValue(p.get("runningMean"), device, false);
        NDArray var = ps.getValue(p.get("runningVar"), device, false);
        // the fold's temporaries (on the parameters' manager) are freed here; the output is kept
        try (NDScope scope = new NDScope()) {
            NDArray eps = x.getManager().create(TorchLayers.BN_EPS_EXACT).toType(var.getDataType(), false);
            NDArray s = gamma.div(var.add(eps).sqrt());
            NDArray fused = w.mul(s.reshape(-1, 1, 1, 1));
            NDArray bias = beta.sub(mean.mul(s));
            NDArray y = Conv2d.conv2d(x, fused, bias, stride, padding, DILATION, groups).head();
            NDScope.unregister(y);
            return new NDList(y);
        }
    }

    @Override
    public String toString() {
        return "ConvBatchNorm(" + conv + ", " + bn + ")";
    }
}
