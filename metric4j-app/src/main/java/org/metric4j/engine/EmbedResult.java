package org.metric4j.engine;

/**
 * What an embedding job did.
 *
 * @param images the rows written (every image found)
 * @param embedded the rows with an embedding
 * @param unreadable the rows kept with an error instead (images that did not decode)
 * @param partitions the tasks it ran
 * @param seconds wall time
 */
public record EmbedResult(long images, long embedded, long unreadable, int partitions, double seconds) {}
