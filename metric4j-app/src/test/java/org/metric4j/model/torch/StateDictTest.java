package org.metric4j.model.torch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class StateDictTest {

    @Test
    void keepsInsertionOrder() {
        StateDict sd = new StateDict().put("z", TorchTensor.scalar(1)).put("a", TorchTensor.scalar(2))
                .put("m", TorchTensor.scalar(3));

        assertEquals(List.of("z", "a", "m"), sd.keys());
        assertEquals(List.of("z", "a", "m"), List.copyOf(sd.asMap().keySet()));
        assertEquals(3, sd.numElements());
    }

    @Test
    void orderIsPartOfEquality() {
        StateDict ab = new StateDict().put("a", TorchTensor.scalar(1)).put("b", TorchTensor.scalar(2));
        StateDict ba = new StateDict().put("b", TorchTensor.scalar(2)).put("a", TorchTensor.scalar(1));
        StateDict ab2 = new StateDict().put("a", TorchTensor.scalar(1)).put("b", TorchTensor.scalar(2));

        assertNotEquals(ab, ba);
        assertEquals(ab, ab2);
        assertEquals(ab.hashCode(), ab2.hashCode());
    }

    @Test
    void rejectsADuplicateKey() {
        StateDict sd = new StateDict().put("a", TorchTensor.scalar(1));

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> sd.put("a", TorchTensor.scalar(2)));
        assertEquals("state dict already has key a", e.getMessage());
    }

    @Test
    void removesAPrefix() {
        StateDict sd = new StateDict().put("module.a", TorchTensor.scalar(1)).put("module.b.c", TorchTensor.scalar(2));

        assertEquals(List.of("a", "b.c"), sd.withoutPrefix("module.").keys());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> sd.withoutPrefix("model."));
        assertEquals("key module.a does not start with the prefix model.", e.getMessage());
    }
}
