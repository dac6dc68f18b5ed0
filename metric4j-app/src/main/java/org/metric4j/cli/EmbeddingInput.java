package org.metric4j.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.metric4j.eval.EmbeddingSet;

/** Reads an embedding set given on the command line: a .npy with optional labels and names files, or a CSV. */
public final class EmbeddingInput {

    private EmbeddingInput() {}

    /**
     * The set.
     *
     * @param option the option that named the file (for messages), e.g. {@code --embeddings}
     * @param embeddings a .npy (N x D) or .csv file
     * @param labels a 1-D int .npy of N labels, or null
     * @param names a text file of N names, one per line, or null
     * @return the set
     * @throws IllegalArgumentException naming the option and the file when it is missing, of
     *     another kind, or disagrees in length
     */
    public static EmbeddingSet load(String option, Path embeddings, Path labels, Path names) throws IOException {
        if (!Files.isRegularFile(embeddings)) {
            throw new IllegalArgumentException(option + ": no such file " + embeddings);
        }
        String file = embeddings.getFileName().toString().toLowerCase(Locale.ROOT);
        EmbeddingSet set;
        if (file.endsWith(".csv")) {
            set = EmbeddingSet.readCsv(embeddings);
        } else if (file.endsWith(".npy")) {
            if (labels != null && !Files.isRegularFile(labels)) {
                throw new IllegalArgumentException(option + " labels: no such file " + labels);
            }
            set = EmbeddingSet.readNpy(embeddings, labels);
        } else {
            throw new IllegalArgumentException(option + " must be a .npy or .csv file, got " + embeddings);
        }
        if (names != null) {
            if (!Files.isRegularFile(names)) {
                throw new IllegalArgumentException(option + " names: no such file " + names);
            }
            List<String> lines = Files.readAllLines(names, StandardCharsets.UTF_8).stream()
                    .map(String::trim).filter(l -> !l.isEmpty()).toList();
            if (lines.size() != set.size()) {
                throw new IllegalArgumentException(option + " names: " + names + " has " + lines.size()
                        + " names for " + set.size() + " embeddings");
            }
            set = set.withNames(lines.toArray(new String[0]));
        }
        return set;
    }
}
