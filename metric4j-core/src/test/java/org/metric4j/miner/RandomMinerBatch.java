package org.metric4j.miner;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The fixed batch of {@code random_miners_pml.json} (written by {@code random_miners_pml.py}
 * beside it from PML 2.8.1's own code): 12 embeddings of dimension 4, three labels of 4 items,
 * with DistanceWeightedMiner's weights and UniformHistogramMiner's bins as PML computes them.
 */
final class RandomMinerBatch {

    final JsonObject json;
    final double[][] embeddings;
    final long[] labels;

    private RandomMinerBatch(JsonObject json) {
        this.json = json;
        this.embeddings = matrix(json.getAsJsonArray("embeddings"));
        JsonArray y = json.getAsJsonArray("labels");
        this.labels = new long[y.size()];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = y.get(i).getAsLong();
        }
    }

    static RandomMinerBatch load() {
        return load("random_miners_pml.json");
    }

    /**
     * The batch of {@code random_miners_ref_pml.json} ({@code random_miners_ref_pml.py}): the same
     * 12 rows, the first {@link #queries} of them queries and the rest the reference set, with
     * PML's weights and bins of the queries against the references.
     */
    static RandomMinerBatch loadReferenceSplit() {
        return load("random_miners_ref_pml.json");
    }

    private static RandomMinerBatch load(String resource) {
        try (InputStream in = RandomMinerBatch.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(resource + " is missing from the test resources");
            }
            return new RandomMinerBatch(JsonParser.parseReader(new InputStreamReader(in, StandardCharsets.UTF_8))
                    .getAsJsonObject());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static double[][] matrix(JsonArray rows) {
        double[][] out = new double[rows.size()][];
        for (int i = 0; i < out.length; i++) {
            JsonArray r = rows.get(i).getAsJsonArray();
            out[i] = new double[r.size()];
            for (int j = 0; j < out[i].length; j++) {
                out[i][j] = r.get(j).getAsDouble();
            }
        }
        return out;
    }

    /** The number of queries of a reference split (the rows before the references). */
    int queries() {
        return json.get("queries").getAsInt();
    }

    int size() {
        return labels.length;
    }

    NDArray embeddings(NDManager m, DataType dtype) {
        int b = embeddings.length;
        int d = embeddings[0].length;
        double[] flat = new double[b * d];
        for (int i = 0; i < b; i++) {
            System.arraycopy(embeddings[i], 0, flat, i * d, d);
        }
        return m.create(flat, new Shape(b, d)).toType(dtype, false);
    }

    NDArray labels(NDManager m) {
        return m.create(labels);
    }

    /** L2 distances between the L2-normalized embeddings, in plain Java. */
    double[][] normalizedDistances() {
        int b = embeddings.length;
        double[][] u = new double[b][];
        for (int i = 0; i < b; i++) {
            double n = 0;
            for (double x : embeddings[i]) {
                n += x * x;
            }
            n = Math.sqrt(n);
            u[i] = new double[embeddings[i].length];
            for (int k = 0; k < u[i].length; k++) {
                u[i][k] = embeddings[i][k] / n;
            }
        }
        double[][] d = new double[b][b];
        for (int i = 0; i < b; i++) {
            for (int j = 0; j < b; j++) {
                double s = 0;
                for (int k = 0; k < u[i].length; k++) {
                    s += (u[i][k] - u[j][k]) * (u[i][k] - u[j][k]);
                }
                d[i][j] = Math.sqrt(s);
            }
        }
        return d;
    }
}
