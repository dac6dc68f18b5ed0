package org.metric4j.index;

import org.metric4j.math.Inputs;

/**
 * The parameters of Lucene's HNSW graph (Malkov and Yashunin 2018) and of its search.
 *
 * @param maxConn M, the neighbours kept per node and layer (Lucene's default 16); more raises
 *     recall, memory and build time
 * @param beamWidth efConstruction, the candidates examined while inserting (Lucene's default 100)
 * @param efSearch the candidates a top-k search collects before keeping the best k (at least k;
 *     Lucene's {@code KnnFloatVectorQuery} calls it k): the recall / latency knob at query time
 * @param quantized whether vectors are stored as 7-bit scalar-quantized bytes (about 4x smaller
 *     HNSW scoring data, Lucene's {@code Lucene99HnswScalarQuantizedVectorsFormat}); the float
 *     vectors are kept too, for exact search and re-scoring
 */
public record HnswParameters(int maxConn, int beamWidth, int efSearch, boolean quantized) {

    /** Lucene's defaults: M 16, beam width 100; efSearch 100; float vectors. */
    public static final HnswParameters DEFAULTS = new HnswParameters(16, 100, 100, false);

    /** Checks the ranges Lucene accepts. */
    public HnswParameters {
        if (maxConn < 1 || maxConn > 512) {
            throw new IllegalArgumentException("maxConn (HNSW M) must be in [1, 512], got " + maxConn);
        }
        if (beamWidth < 1 || beamWidth > 3200) {
            throw new IllegalArgumentException("beamWidth (HNSW efConstruction) must be in [1, 3200], got " + beamWidth);
        }
        Inputs.atLeast("efSearch", efSearch, 1);
    }

    /** The same with another efSearch. */
    public HnswParameters withEfSearch(int ef) {
        return new HnswParameters(maxConn, beamWidth, ef, quantized);
    }
}
