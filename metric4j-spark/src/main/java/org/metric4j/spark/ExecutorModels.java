package org.metric4j.spark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.metric4j.engine.DeviceNames;
import org.metric4j.engine.ImageEmbedder;
import org.metric4j.engine.ImportedModel;

/**
 * One loaded model per executor JVM, shared by the tasks that run there (each calling thread
 * gets its own predictor over the shared weights), keyed by the file, its format, its
 * preprocessing and the device. Models stay loaded for the JVM's lifetime.
 */
final class ExecutorModels {

    private static final Map<String, ImageEmbedder> MODELS = new ConcurrentHashMap<>();

    private ExecutorModels() {}

    /** The model on a device (DJL's name: cpu, gpu0, ...), loaded on first use. */
    static ImageEmbedder get(ImportedModel model, String device) {
        // executors download nothing: the engine's native library ships in the application's jars
        if (System.getProperty("ai.djl.offline") == null) {
            System.setProperty("ai.djl.offline", "true");
        }
        return MODELS.computeIfAbsent(model.format() + "@" + model.file() + "@" + model.preprocessingJson() + "@"
                + device, key -> {
                    try {
                        return ImageEmbedder.load(model, DeviceNames.parse(device));
                    } catch (IOException e) {
                        throw new UncheckedIOException("cannot load the " + model.format() + " model " + model.file(), e);
                    }
                });
    }
}
