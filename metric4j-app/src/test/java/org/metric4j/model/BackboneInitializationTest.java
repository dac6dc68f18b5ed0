package org.metric4j.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.metric4j.TestDevice;
import org.metric4j.model.torch.StateEntry;

/**
 * The initialization the Javadocs promise, InsightFace's: iResNet convolutions N(0, 0.1), fc
 * weight within PyTorch's Linear bound 1/sqrt(fan_in); MobileFaceNet conv and linear weights
 * kaiming normal fan_out (std sqrt(2 / fan_out)); BatchNorm scale 1 and shift 0, running
 * statistics 0 and 1; PReLU slopes 0.25.
 */
class BackboneInitializationTest {

    private static Map<String, NDArray> arrays(TorchBackbone block) {
        return block.stateEntries().stream().filter(e -> !e.isCounter())
                .collect(Collectors.toMap(StateEntry::key, e -> e.parameter().getArray()));
    }

    private static void assertStd(double expected, NDArray w, String key) {
        double std = Math.sqrt(w.square().mean().getFloat());
        assertEquals(expected, std, 0.03 * expected, key + ": std");
        assertEquals(0, w.mean().getFloat(), 0.05 * expected, key + ": mean");
    }

    private static void assertAll(float value, NDArray a, String key) {
        assertEquals(0f, a.sub(value).abs().max().getFloat(), key + " should be all " + value);
    }

    @Test
    void iresnetStartsAsInsightFaces() {
        try (NDManager manager = TestDevice.manager()) {
            manager.getEngine().setRandomSeed(11);
            TorchBackbone block = BackboneSpec.parse("iresnet:layers=1-1-1-1,dim=64").build();
            block.initialize(manager, DataType.FLOAT32, new Shape(1, 3, 112, 112));
            Map<String, NDArray> a = arrays(block);
            assertStd(0.1, a.get("layer1.0.conv1.weight"), "layer1.0.conv1.weight");
            assertStd(0.1, a.get("layer4.0.conv2.weight"), "layer4.0.conv2.weight");
            double bound = 1 / Math.sqrt(512 * 7 * 7);
            float max = a.get("fc.weight").abs().max().getFloat();
            assertTrue(max <= bound && max > 0.99 * bound, "fc.weight max " + max + " vs bound " + bound);
            assertAll(0f, a.get("fc.bias"), "fc.bias");
            assertAll(1f, a.get("features.weight"), "features.weight");
            assertAll(0f, a.get("features.bias"), "features.bias");
            assertAll(1f, a.get("layer2.0.bn1.weight"), "layer2.0.bn1.weight");
            assertAll(0f, a.get("layer2.0.bn1.bias"), "layer2.0.bn1.bias");
            assertAll(0f, a.get("bn2.running_mean"), "bn2.running_mean");
            assertAll(1f, a.get("bn2.running_var"), "bn2.running_var");
            assertAll(0.25f, a.get("layer3.0.prelu.weight"), "layer3.0.prelu.weight");
        }
    }

    @Test
    void mobileFaceNetStartsAsInsightFaces() {
        try (NDManager manager = TestDevice.manager()) {
            manager.getEngine().setRandomSeed(12);
            TorchBackbone block = BackboneSpec.parse("mobilefacenet:dim=512").build();
            block.initialize(manager, DataType.FLOAT32, new Shape(1, 3, 112, 112));
            Map<String, NDArray> a = arrays(block);
            // [128, 128, 1, 1]: fan_out 128
            assertStd(Math.sqrt(2.0 / 128), a.get("layers.2.layers.0.layers.0.weight"), "layers.2.layers.0.layers.0.weight");
            // [512, 256, 1, 1]: fan_out 512
            assertStd(Math.sqrt(2.0 / 512), a.get("conv_sep.layers.0.weight"), "conv_sep.layers.0.weight");
            // [512, 1, 7, 7]: fan_out 512 * 49
            assertStd(Math.sqrt(2.0 / (512 * 49)), a.get("features.layers.0.layers.0.weight"), "GDC conv");
            // Linear [512, 512]: fan_out 512
            assertStd(Math.sqrt(2.0 / 512), a.get("features.layers.2.weight"), "features.layers.2.weight");
            assertAll(1f, a.get("features.layers.3.weight"), "features.layers.3.weight");
            assertAll(0f, a.get("features.layers.3.bias"), "features.layers.3.bias");
            assertAll(0.25f, a.get("layers.1.layers.2.weight"), "layers.1.layers.2.weight");
        }
    }
}
