package org.metric4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The LRU order of {@link ImageCache}: which items are rendered again. */
class ImageCacheTest {

    private final List<Integer> rendered = new ArrayList<>();

    private int[] render(int index) {
        rendered.add(index);
        return new int[] {index, 2 * index};
    }

    @Test
    void keepsTheMostRecentlyUsedAndEvictsTheLeast() {
        ImageCache cache = new ImageCache(2);
        for (int i : new int[] {0, 1, 0, 2, 0, 1, 2}) {
            assertArrayEquals(new int[] {i, 2 * i}, cache.get(i, this::render), "item " + i);
        }
        // 0, 1 miss; 0 hits; 2 evicts 1 (least recently used); 0 hits; 1 evicts 2; 2 evicts 0
        assertEquals(List.of(0, 1, 2, 1, 2), rendered);
    }

    @Test
    void capacityZeroRendersEveryTime() {
        ImageCache cache = new ImageCache(0);
        cache.get(3, this::render);
        cache.get(3, this::render);
        assertEquals(List.of(3, 3), rendered);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new ImageCache(-1));
        assertTrue(e.getMessage().contains("capacity must be >= 0, got -1"), e.getMessage());
    }
}
