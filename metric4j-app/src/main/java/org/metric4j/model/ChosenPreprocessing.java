package org.metric4j.model;

/**
 * A preprocessing and where it came from, as a command prints it in one line: {@code
 * preprocessing: 112x112 RGB NCHW resize, (v - 127.5) / 127.5, no flip-sum, decoded by Java ImageIO
 * (InsightFace's default for --torchscript; --size from the command line)}.
 *
 * @param preprocessing the preprocessing
 * @param source where it came from: a preset and why, a file, options that overrode it
 */
public record ChosenPreprocessing(Preprocessing preprocessing, String source) {

    /** Validates the fields. */
    public ChosenPreprocessing {
        if (preprocessing == null || source == null || source.isBlank()) {
            throw new IllegalArgumentException("preprocessing and source must be given, got " + preprocessing
                    + ", " + source);
        }
    }

    /** The one line a command prints. */
    @Override
    public String toString() {
        return "preprocessing: " + preprocessing + " (" + source + ")";
    }
}
