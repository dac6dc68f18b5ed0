/**
 * Files: embedding sets as NumPy .npy and CSV ({@link org.metric4j.io.EmbeddingFiles},
 * {@link org.metric4j.io.NpyFormat}) and directory trees ({@link org.metric4j.io.FileTrees}).
 */
package org.metric4j.io;
