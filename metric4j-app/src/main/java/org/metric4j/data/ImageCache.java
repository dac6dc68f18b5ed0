package org.metric4j.data;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * A thread-safe LRU cache of packed 8-bit RGB images ({@link Pixels#packed}, 4 bytes a pixel) by
 * item index, for datasets that render or decode their images lazily. A miss is computed outside
 * the lock, so threads render in parallel; two threads that miss the same item both compute it,
 * and the images are equal. Capacity 0 caches nothing.
 */
final class ImageCache {

    private final int capacity;
    private final Map<Integer, int[]> map;

    /** A cache of at most {@code capacity} images (0: none). */
    ImageCache(int capacity) {
        if (capacity < 0) {
            throw new IllegalArgumentException("capacity must be >= 0, got " + capacity);
        }
        this.capacity = capacity;
        this.map = capacity == 0 ? null : Collections.synchronizedMap(
                new LinkedHashMap<>(16, 0.75f, true) {
                    private static final long serialVersionUID = 1L;

                    @Override
                    protected boolean removeEldestEntry(Map.Entry<Integer, int[]> eldest) {
                        return size() > ImageCache.this.capacity;
                    }
                });
    }

    /** The capacity in images. */
    int capacity() {
        return capacity;
    }

    /** The image of item {@code index}: from the cache, or {@code render.apply(index)}, then kept. */
    int[] get(int index, IntFunction<int[]> render) {
        int[] packed = map == null ? null : map.get(index);
        if (packed == null) {
            packed = render.apply(index);
            if (map != null) {
                map.put(index, packed);
            }
        }
        return packed;
    }
}
