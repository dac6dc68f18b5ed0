package org.metric4j.spark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.metric4j.engine.DeviceNames;
import org.metric4j.engine.ImageEmbedder;

/**
 * One loaded model per executor JVM, shared by the tasks that run there (each calling thread
 * gets its own predictor over the shared weights). Models stay loaded for the JVM's lifetime.
 */
final class ExecutorModels {

    private static final Map<String, ImageEmbedder> MODELS = new ConcurrentHashMap<>();

    private ExecutorModels() {}

    /**
     * The model of {@code file} for {@code size} x {@code size} inputs on a device (DJL's name:
     * cpu, gpu0, ...), loaded on first use.
     */
    static ImageEmbedder torchScript(String file, int size, String device) {
        // executors download nothing: the engine's native library ships in the application's jars
        if (System.getProperty("ai.djl.offline") == null) {
            System.setProperty("ai.djl.offline", "true");
        }
        return MODELS.computeIfAbsent(file + "@" + size + "@" + device, key -> {
            try {
                return ImageEmbedder.torchScript(Path.of(file), size, DeviceNames.parse(device));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot load the TorchScript model " + file, e);
            }
        });
    }
}
