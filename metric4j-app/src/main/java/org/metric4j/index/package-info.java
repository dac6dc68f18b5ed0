/**
 * Galleries of embeddings on Apache Lucene's vector index: HNSW top-k and threshold search for
 * 1:N identification, exact search for evaluation, and the same vectors OpenSearch or
 * Elasticsearch shard across a cluster when one machine is not enough. {@link
 * org.metric4j.index.GalleryReferences} serves a gallery as the reference index of an {@code
 * InferenceModel}.
 */
package org.metric4j.index;
