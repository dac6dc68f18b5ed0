package org.metric4j.data.align;

/**
 * The 5 landmarks of one face in one image, as a line of a {@link LandmarksFile} gives them.
 *
 * @param path the image, relative to the images folder
 * @param landmarks {@code x1, y1, ..., x5, y5} in source pixels (not copied)
 * @param score the detector's faceness score, or NaN where the line has none
 * @param line the line number in the file (1-based)
 */
public record FaceLandmarks(String path, float[] landmarks, float score, int line) {}
