package org.metric4j.spark;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;
import org.metric4j.eval.EmbeddingSet;
import org.metric4j.eval.PairVerification;
import org.metric4j.eval.PairsFile;
import org.metric4j.eval.VerificationProtocol;

/**
 * The verification protocol over a pairs table scored on the cluster: the pairs are split over
 * partitions, each scores its pairs by cosine (as {@link EmbeddingSet#cosine}), and the driver
 * runs the protocol on the collected scores in pair order (ROC, AUC, TAR@FAR, k-fold accuracy
 * with the file's folds): the numbers of the single-machine {@code PairVerification}.
 */
public final class ShardedVerification {

    private ShardedVerification() {}

    /**
     * The report.
     *
     * @param spark the session
     * @param set the embeddings with item names
     * @param pairs the pairs file (every item must have an embedding)
     * @param partitions the partitions of the pairs table
     * @return the protocol's report
     */
    public static VerificationProtocol.Report evaluate(SparkSession spark, EmbeddingSet set, PairsFile pairs,
            int partitions) {
        if (set.names() == null) {
            throw new IllegalArgumentException("verification needs item names to find the pairs' items");
        }
        Map<String, Integer> index = new java.util.HashMap<>();
        for (Map.Entry<String, Integer> e : set.nameIndex().entrySet()) {
            index.put(PairVerification.stripExtension(e.getKey()), e.getValue());
        }
        List<int[]> table = new ArrayList<>();
        for (PairsFile.Pair p : pairs.pairs()) {
            Integer a = index.get(p.first());
            Integer b = index.get(p.second());
            if (a == null || b == null) {
                throw new IllegalArgumentException("line " + p.line() + ": no embedding for '"
                        + (a == null ? p.first() : p.second()) + "'");
            }
            table.add(new int[] {table.size(), a, b});
        }
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Broadcast<double[]> values = jsc.broadcast(set.values());
        int d = set.dim();
        JavaRDD<int[]> rdd = jsc.parallelize(table, Math.max(1, partitions));
        List<double[]> scored = rdd.map(t -> new double[] {t[0], EmbeddingSet.cosine(values.value(), d, t[1], t[2])}).collect();
        double[] scores = new double[table.size()];
        for (double[] s : scored) {
            scores[(int) s[0]] = s[1];
        }
        boolean[] same = new boolean[scores.length];
        int[] folds = new int[scores.length];
        for (int i = 0; i < scores.length; i++) {
            same[i] = pairs.pairs().get(i).same();
            folds[i] = pairs.pairs().get(i).fold();
        }
        return new VerificationProtocol(pairs.folds(), VerificationProtocol.DEFAULT_FARS).evaluate(scores, same, folds);
    }
}
