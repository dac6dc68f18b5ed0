package org.metric4j.engine;

import java.io.Serializable;
import java.nio.file.Path;
import org.metric4j.model.Preprocessing;

/**
 * An imported embedding model as a distributed job ships it to its executors: the file (a path
 * every executor can read), its format, and the {@link Preprocessing} the driver resolved, as its
 * JSON ({@value Preprocessing#FILE_NAME} form), so that the job serializes and every executor
 * preprocesses exactly as the driver printed.
 *
 * @param file the model file
 * @param format TorchScript or ONNX
 * @param preprocessingJson the resolved preprocessing, {@link Preprocessing#toJson()}
 */
public record ImportedModel(String file, Format format, String preprocessingJson) implements Serializable {
    private static final long serialVersionUID = 1L;

    /** The model file's format. */
    public enum Format {
        /** A TorchScript file, run by DJL's PyTorch engine. */
        TORCHSCRIPT,
        /** An ONNX file, run by DJL's ONNX Runtime engine. */
        ONNX
    }

    /** Validates the fields; the JSON must be a whole preprocessing. */
    public ImportedModel {
        if (file == null || format == null || preprocessingJson == null) {
            throw new IllegalArgumentException("file, format and preprocessing must be given, got " + file + ", "
                    + format + ", " + preprocessingJson);
        }
        preprocessing(preprocessingJson);
    }

    /** A model file with the preprocessing the driver resolved. */
    public static ImportedModel of(Path file, Format format, Preprocessing preprocessing) {
        return new ImportedModel(file.toAbsolutePath().toString(), format, preprocessing.toJson());
    }

    /** A TorchScript file with InsightFace's preprocessing at {@code size} x {@code size}. */
    public static ImportedModel insightFaceTorchScript(Path file, int size, boolean flipSum) {
        Preprocessing p = Preprocessing.INSIGHTFACE.withSize(size, size);
        return of(file, Format.TORCHSCRIPT, p.with(p.fit(), p.channels(), p.layout(), flipSum));
    }

    /** The preprocessing, parsed from its JSON. */
    public Preprocessing preprocessing() {
        return preprocessing(preprocessingJson);
    }

    private static Preprocessing preprocessing(String json) {
        // every key is written by toJson, so the base only matters for a hand-made partial JSON
        return Preprocessing.INSIGHTFACE.overlay(json, "the job's preprocessing");
    }

    /** The format's option and the file, with the preprocessing: {@code --onnx /m/mbf.onnx, 112x112 RGB ...}. */
    @Override
    public String toString() {
        return "--" + format.name().toLowerCase(java.util.Locale.ROOT) + " " + file + ", " + preprocessing();
    }
}
