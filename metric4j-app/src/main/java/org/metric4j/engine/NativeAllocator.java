package org.metric4j.engine;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * The native allocator this process runs on, read from the libraries mapped into it ({@code
 * /proc/self/maps}): {@code jemalloc}, {@code tcmalloc} or {@code mimalloc} when one was preloaded
 * (the launcher preloads jemalloc, {@code scripts/native-allocator.sh}), else {@code glibc} on
 * Linux and {@code system} elsewhere. Benchmarks print it with each case, since large tensors' times
 * depend on it (README, "The native allocator").
 */
public final class NativeAllocator {

    private static final Path MAPS = Path.of("/proc/self/maps");
    private static final List<String> PRELOADABLE = List.of("jemalloc", "tcmalloc", "mimalloc");

    private NativeAllocator() {}

    /** The allocator's name. */
    public static String name() {
        if (!Files.isReadable(MAPS)) {
            return "system";
        }
        try (Stream<String> lines = Files.lines(MAPS)) {
            return lines.map(NativeAllocator::preloaded).filter(Objects::nonNull).findFirst().orElse("glibc");
        } catch (IOException | UncheckedIOException e) {
            return "system";
        }
    }

    private static String preloaded(String mapsLine) {
        int slash = mapsLine.lastIndexOf('/');
        if (slash < 0) {
            return null;
        }
        String file = mapsLine.substring(slash + 1).toLowerCase(Locale.ROOT);
        for (String name : PRELOADABLE) {
            if (file.startsWith("lib" + name)) {
                return name;
            }
        }
        return null;
    }
}
