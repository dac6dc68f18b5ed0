package org.metric4j.index;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.codecs.lucene912.Lucene912Codec;
import org.apache.lucene.codecs.lucene99.Lucene99HnswScalarQuantizedVectorsFormat;
import org.apache.lucene.codecs.lucene99.Lucene99HnswVectorsFormat;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.document.NumericDocValuesField;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.NumericDocValues;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.FloatVectorSimilarityQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.metric4j.eval.EmbeddingSet;
import org.metric4j.math.Inputs;

/**
 * A gallery of embeddings in a Lucene index: one document per item with its unit vector
 * (dot-product similarity, so scores are cosines), its row, name and identity. Searches: HNSW
 * top-k ({@link #search}), all items above a cosine for open-set identification ({@link
 * #searchAbove}), and exact top-k by a scan of every vector ({@link #searchExact}), the reference
 * for recall and for evaluation.
 *
 * <p>The index is a plain Lucene directory: it reopens after a restart ({@link #open}), and the
 * same vectors, ids and labels go into an OpenSearch / Elasticsearch {@code knn_vector} (or
 * {@code dense_vector}) field with the same HNSW parameters when a gallery outgrows one machine.
 * Lucene keeps vectors at most {@value #MAX_DIMENSIONS}-dimensional by default; larger ones are
 * refused with a clear error.
 */
public final class GalleryIndex implements AutoCloseable {

    /** Lucene's default largest vector dimension ({@code KnnVectorsFormat.DEFAULT_MAX_DIMENSIONS}). */
    public static final int MAX_DIMENSIONS = KnnVectorsFormat.DEFAULT_MAX_DIMENSIONS;

    static final String VECTOR = "vector";
    static final String ROW = "row";
    static final String ID = "id";
    static final String LABEL = "label";

    private final Path path;
    private final Directory directory;
    private final DirectoryReader reader;
    private final IndexSearcher searcher;
    private final int dimension;
    private final HnswParameters parameters;

    private GalleryIndex(Path path, Directory directory, HnswParameters stored) throws IOException {
        this.path = path;
        this.directory = directory;
        this.reader = DirectoryReader.open(directory);
        this.searcher = new IndexSearcher(reader);
        Map<String, String> data = reader.getIndexCommit().getUserData();
        if (!data.containsKey("dimension")) {
            reader.close();
            directory.close();
            throw new IOException(path + " is a Lucene index but not a metric4j gallery (no dimension in its commit)");
        }
        this.dimension = Integer.parseInt(data.get("dimension"));
        this.parameters = stored != null ? stored : new HnswParameters(Integer.parseInt(data.get("maxConn")),
                Integer.parseInt(data.get("beamWidth")), HnswParameters.DEFAULTS.efSearch(),
                Boolean.parseBoolean(data.get("quantized")));
    }

    /**
     * Builds an index in an empty or missing directory from an embedding set (rows are
     * L2-normalized first; a zero row is refused).
     *
     * @param dir the index directory (must not hold files)
     * @param gallery the items: vectors, labels (-1 when absent), names (the row when absent)
     * @param parameters the HNSW parameters
     * @return the open index
     * @throws IOException on a write error
     * @throws IllegalArgumentException for a non-empty directory, an empty gallery, a dimension
     *     above {@value #MAX_DIMENSIONS}, or a zero or non-finite vector
     */
    public static GalleryIndex build(Path dir, EmbeddingSet gallery, HnswParameters parameters) throws IOException {
        if (gallery.size() == 0) {
            throw new IllegalArgumentException("gallery is empty: nothing to index");
        }
        checkDimension(gallery.dim());
        if (Files.isDirectory(dir)) {
            try (var s = Files.list(dir)) {
                if (s.findAny().isPresent()) {
                    throw new IllegalArgumentException("index directory " + dir + " is not empty");
                }
            }
        }
        Files.createDirectories(dir);
        KnnVectorsFormat format = parameters.quantized()
                ? new Lucene99HnswScalarQuantizedVectorsFormat(parameters.maxConn(), parameters.beamWidth())
                : new Lucene99HnswVectorsFormat(parameters.maxConn(), parameters.beamWidth());
        IndexWriterConfig config = new IndexWriterConfig().setCodec(new Lucene912Codec() {
            @Override
            public KnnVectorsFormat getKnnVectorsFormatForField(String field) {
                return format;
            }
        });
        // one segment for galleries of a few hundred thousand 128-d items: no merge rebuilds the graph
        config.setRAMBufferSizeMB(1024);
        config.setOpenMode(IndexWriterConfig.OpenMode.CREATE);
        Directory directory = FSDirectory.open(dir);
        try (IndexWriter writer = new IndexWriter(directory, config)) {
            float[] values = gallery.floats();
            long[] labels = gallery.labels();
            String[] names = gallery.names();
            int d = gallery.dim();
            for (int i = 0; i < gallery.size(); i++) {
                float[] v = unit(Arrays.copyOfRange(values, i * d, (i + 1) * d), "gallery row " + i);
                Document doc = new Document();
                doc.add(new KnnFloatVectorField(VECTOR, v, VectorSimilarityFunction.DOT_PRODUCT));
                doc.add(new NumericDocValuesField(ROW, i));
                doc.add(new NumericDocValuesField(LABEL, labels == null ? -1 : labels[i]));
                doc.add(new StoredField(ID, names == null ? String.valueOf(i) : names[i]));
                writer.addDocument(doc);
            }
            Map<String, String> data = new HashMap<>();
            data.put("dimension", String.valueOf(d));
            data.put("maxConn", String.valueOf(parameters.maxConn()));
            data.put("beamWidth", String.valueOf(parameters.beamWidth()));
            data.put("quantized", String.valueOf(parameters.quantized()));
            data.put("similarity", "dot_product of unit vectors (cosine)");
            data.put("writer", "metric4j");
            writer.setLiveCommitData(data.entrySet());
            writer.commit();
        } catch (IOException | RuntimeException e) {
            directory.close();
            throw e;
        }
        return new GalleryIndex(dir, directory, parameters);
    }

    /**
     * Opens an index written by {@link #build}.
     *
     * @param dir the index directory
     * @return the index (searches use the default efSearch unless given one)
     * @throws IOException when the directory holds no metric4j gallery
     */
    public static GalleryIndex open(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IOException("no gallery index at " + dir + " (not a directory)");
        }
        Directory directory = FSDirectory.open(dir);
        if (!DirectoryReader.indexExists(directory)) {
            directory.close();
            throw new IOException("no gallery index at " + dir + " (no Lucene commit there)");
        }
        return new GalleryIndex(dir, directory, null);
    }

    /** The vector dimension. */
    public int dimension() {
        return dimension;
    }

    /** The number of items. */
    public int size() {
        return reader.numDocs();
    }

    /** The HNSW parameters (the build's as stored; efSearch is the default of {@link #search(float[], int)}). */
    public HnswParameters parameters() {
        return parameters;
    }

    /** The index directory. */
    public Path path() {
        return path;
    }

    /**
     * The k nearest items by the HNSW graph (approximate): collects max(k, efSearch) candidates
     * and keeps the best k.
     *
     * @param query a vector of the index's dimension (normalized here)
     * @param k the number of items (>= 1)
     * @return up to k hits, best first
     */
    public List<Hit> search(float[] query, int k) throws IOException {
        return search(query, k, parameters.efSearch());
    }

    /**
     * {@link #search(float[], int)} with another efSearch (candidates collected per segment).
     *
     * @param query a vector of the index's dimension
     * @param k the number of items (>= 1)
     * @param efSearch the candidates collected (max(k, efSearch) are)
     * @return up to k hits, best first
     */
    public List<Hit> search(float[] query, int k, int efSearch) throws IOException {
        checkK(k);
        Inputs.atLeast("efSearch", efSearch, 1);
        float[] q = unit(checkQuery(query), "query");
        int candidates = Math.max(k, efSearch);
        TopDocs top = searcher.search(new KnnFloatVectorQuery(VECTOR, q, candidates), k);
        return hits(top.scoreDocs, k);
    }

    /**
     * Every item whose cosine with the query is at least {@code threshold}, best first, at most
     * {@code limit}: open-set identification rejects a probe when this is empty. Runs Lucene's
     * similarity-threshold graph search ({@code FloatVectorSimilarityQuery}), which explores the
     * graph down to the threshold.
     *
     * @param query a vector of the index's dimension
     * @param threshold the smallest cosine accepted, in [-1, 1]
     * @param limit the most hits returned (>= 1)
     * @return the hits above the threshold, best first
     */
    public List<Hit> searchAbove(float[] query, double threshold, int limit) throws IOException {
        checkK(limit);
        if (!(threshold >= -1 && threshold <= 1)) {
            throw new IllegalArgumentException("threshold must be a cosine in [-1, 1], got " + threshold);
        }
        float[] q = unit(checkQuery(query), "query");
        float score = (float) ((1 + threshold) / 2); // Lucene's DOT_PRODUCT score of that cosine
        TopDocs top = searcher.search(new FloatVectorSimilarityQuery(VECTOR, q, score, score), limit);
        List<Hit> out = new ArrayList<>();
        for (Hit h : hits(top.scoreDocs, limit)) {
            if (h.cosine() >= threshold - 1e-6) {
                out.add(h);
            }
        }
        return out;
    }

    /**
     * The exact k nearest items: a scan of every stored vector (float, even for a quantized
     * index). Ties go to the lower row.
     *
     * @param query a vector of the index's dimension
     * @param k the number of items (>= 1)
     * @return min(k, size) hits, best first
     */
    public List<Hit> searchExact(float[] query, int k) throws IOException {
        checkK(k);
        float[] q = unit(checkQuery(query), "query");
        // min-heap of (cosine, row, leaf, doc): the worst kept on top
        PriorityQueue<double[]> heap = new PriorityQueue<>(k + 1, (a, b) -> a[0] != b[0]
                ? Double.compare(a[0], b[0]) : Double.compare(b[1], a[1]));
        for (LeafReaderContext leaf : reader.leaves()) {
            LeafReader r = leaf.reader();
            FloatVectorValues vectors = r.getFloatVectorValues(VECTOR);
            NumericDocValues rows = r.getNumericDocValues(ROW);
            if (vectors == null) {
                continue;
            }
            for (int doc = vectors.nextDoc(); doc != DocIdSetIterator.NO_MORE_DOCS; doc = vectors.nextDoc()) {
                float[] v = vectors.vectorValue();
                double dot = 0;
                for (int j = 0; j < v.length; j++) {
                    dot += (double) v[j] * q[j];
                }
                rows.advanceExact(doc);
                heap.add(new double[] {dot, rows.longValue(), leaf.docBase + doc});
                if (heap.size() > k) {
                    heap.poll();
                }
            }
        }
        List<double[]> best = new ArrayList<>(heap);
        best.sort((a, b) -> a[0] != b[0] ? Double.compare(b[0], a[0]) : Double.compare(a[1], b[1]));
        List<Hit> out = new ArrayList<>();
        for (double[] b : best) {
            Document stored = searcher.storedFields().document((int) b[2]);
            out.add(new Hit((int) b[1], stored.get(ID), label((int) b[2]), b[0]));
        }
        return out;
    }

    /**
     * Every item of the index back as an embedding set in row order (the unit vectors as
     * stored), e.g. for exact batched evaluation on the engine.
     */
    public EmbeddingSet items() throws IOException {
        int n = size();
        double[] values = new double[n * dimension];
        long[] labels = new long[n];
        String[] names = new String[n];
        for (LeafReaderContext leaf : reader.leaves()) {
            LeafReader r = leaf.reader();
            FloatVectorValues vectors = r.getFloatVectorValues(VECTOR);
            NumericDocValues rows = r.getNumericDocValues(ROW);
            NumericDocValues labelValues = r.getNumericDocValues(LABEL);
            for (int doc = vectors.nextDoc(); doc != DocIdSetIterator.NO_MORE_DOCS; doc = vectors.nextDoc()) {
                rows.advanceExact(doc);
                labelValues.advanceExact(doc);
                int row = (int) rows.longValue();
                float[] v = vectors.vectorValue();
                for (int j = 0; j < dimension; j++) {
                    values[row * dimension + j] = v[j];
                }
                labels[row] = labelValues.longValue();
                names[row] = searcher.storedFields().document(leaf.docBase + doc).get(ID);
            }
        }
        return new EmbeddingSet(values, n, dimension, labels, names);
    }

    private List<Hit> hits(ScoreDoc[] docs, int k) throws IOException {
        List<Hit> out = new ArrayList<>();
        for (int i = 0; i < docs.length && i < k; i++) {
            int doc = docs[i].doc;
            Document stored = searcher.storedFields().document(doc);
            out.add(new Hit(row(doc), stored.get(ID), label(doc), 2.0 * docs[i].score - 1.0));
        }
        return out;
    }

    private int row(int doc) throws IOException {
        return (int) docValue(doc, ROW);
    }

    private long label(int doc) throws IOException {
        return docValue(doc, LABEL);
    }

    private long docValue(int doc, String field) throws IOException {
        List<LeafReaderContext> leaves = reader.leaves();
        LeafReaderContext leaf = leaves.get(org.apache.lucene.index.ReaderUtil.subIndex(doc, leaves));
        NumericDocValues values = leaf.reader().getNumericDocValues(field);
        if (values == null || !values.advanceExact(doc - leaf.docBase)) {
            throw new IOException("index " + path + ": document " + doc + " has no " + field);
        }
        return values.longValue();
    }

    private float[] checkQuery(float[] query) {
        if (query.length != dimension) {
            throw new IllegalArgumentException("query has dimension " + query.length + ", the index at " + path
                    + " holds " + dimension + "-d vectors");
        }
        return query.clone();
    }

    private static void checkK(int k) {
        Inputs.atLeast("k", k, 1);
    }

    static void checkDimension(int d) {
        if (d < 1 || d > MAX_DIMENSIONS) {
            throw new IllegalArgumentException("embedding dimension " + d + " is outside Lucene's vector field range"
                    + " [1, " + MAX_DIMENSIONS + "] (KnnVectorsFormat.DEFAULT_MAX_DIMENSIONS): reduce the embedding"
                    + " size (e.g. a smaller head or PCA) or evaluate with exact search without the index");
        }
    }

    /** The vector scaled to unit length; a zero or non-finite vector is refused. */
    static float[] unit(float[] v, String what) {
        double sq = 0;
        for (float x : v) {
            sq += (double) x * x;
        }
        if (!(sq > 0) || !Double.isFinite(sq)) {
            throw new IllegalArgumentException(what + " has norm " + Math.sqrt(sq)
                    + ": gallery vectors must be non-zero and finite (cosine similarity)");
        }
        double inv = 1 / Math.sqrt(sq);
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (v[i] * inv);
        }
        return v;
    }

    @Override
    public void close() throws IOException {
        reader.close();
        directory.close();
    }
}
