package org.metric4j.spark;

import java.util.ArrayList;
import java.util.List;
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
        PairVerification.Rows rows = PairVerification.rows(set, pairs, PairVerification.Missing.FAIL);
        List<int[]> table = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            table.add(new int[] {i, rows.first()[i], rows.second()[i]});
        }
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Broadcast<double[]> values = jsc.broadcast(set.values());
        int d = set.dim();
        JavaRDD<int[]> rdd = jsc.parallelize(table, Math.max(1, partitions));
        List<double[]> scored = rdd.map(t -> new double[] {t[0], EmbeddingSet.cosine(values.value(), d, t[1], t[2])})
                .collect();
        double[] scores = new double[rows.size()];
        for (double[] s : scored) {
            scores[(int) s[0]] = s[1];
        }
        return VerificationProtocol.builder().optFolds(pairs.folds()).build().evaluate(scores, rows.same(),
                rows.folds());
    }
}
