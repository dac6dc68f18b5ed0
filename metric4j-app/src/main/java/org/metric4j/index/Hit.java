package org.metric4j.index;

/**
 * One gallery item found for a query.
 *
 * @param row the item's row in the embedding set the index was built from
 * @param id the item's name
 * @param label the item's identity
 * @param cosine the cosine similarity of the (unit) query and item vectors
 */
public record Hit(int row, String id, long label, double cosine) {}
