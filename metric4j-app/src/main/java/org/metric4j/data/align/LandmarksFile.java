package org.metric4j.data.align;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A text file of 5-point landmarks, one face a line: {@code relative/path x1 y1 x2 y2 x3 y3 x4 y4
 * x5 y5}, separated by spaces or tabs, optionally followed by a faceness score (the IJB-B/C
 * {@code meta/*_name_5pts_score.txt} format that InsightFace's {@code eval_ijbc.py} reads). Blank
 * lines are skipped. Values are parsed as Python's {@code float(s)} then cast to float32, as
 * {@code eval_ijbc.py} does ({@code np.array(..., dtype=np.float32)}).
 */
public final class LandmarksFile {

    private LandmarksFile() {}

    /**
     * Reads every line.
     *
     * @param file the landmarks file
     * @return the faces in file order
     * @throws IOException if the file cannot be read, or a line is malformed (the message names the
     *     file, the line number and what was expected)
     */
    public static List<FaceLandmarks> read(Path file) throws IOException {
        List<FaceLandmarks> out = new ArrayList<>();
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String text;
            int line = 0;
            while ((text = r.readLine()) != null) {
                line++;
                String t = text.strip();
                if (!t.isEmpty()) {
                    out.add(parse(t, file + ":" + line, line));
                }
            }
        }
        return out;
    }

    /**
     * One line.
     *
     * @param text the line's text
     * @param where names the line in errors ({@code file:line})
     * @param line the line number
     * @throws IOException if it is not a path and 10 or 11 numbers
     */
    static FaceLandmarks parse(String text, String where, int line) throws IOException {
        String[] f = text.strip().split("\\s+");
        int values = f.length - 1;
        if (values != 2 * FaceAligner.LANDMARKS && values != 2 * FaceAligner.LANDMARKS + 1) {
            throw new IOException(where + ": expected a path and 10 numbers (x1 y1 ... x5 y5), optionally a score,"
                    + " got " + values + " value" + (values == 1 ? "" : "s") + " after the path");
        }
        float[] lmk = new float[2 * FaceAligner.LANDMARKS];
        for (int i = 0; i < lmk.length; i++) {
            lmk[i] = number(f[i + 1], where, i + 2);
        }
        float score = values > lmk.length ? number(f[f.length - 1], where, f.length) : Float.NaN;
        return new FaceLandmarks(f[0], lmk, score, line);
    }

    private static float number(String s, String where, int column) throws IOException {
        double v;
        try {
            v = Double.parseDouble(s);
        } catch (NumberFormatException e) {
            throw new IOException(where + ": field " + column + " '" + s + "' is not a number");
        }
        if (!Double.isFinite(v)) {
            throw new IOException(where + ": field " + column + " '" + s + "' is not a finite number");
        }
        return (float) v;
    }
}
