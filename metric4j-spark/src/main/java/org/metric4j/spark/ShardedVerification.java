package org.metric4j.spark;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.Optional;
import org.apache.spark.sql.SparkSession;
import org.metric4j.eval.EmbeddingSet;
import org.metric4j.eval.PairVerification;
import org.metric4j.eval.PairsFile;
import org.metric4j.eval.VerificationProtocol;
import scala.Tuple2;

/**
 * The verification protocol over a pairs table joined to the embeddings by item name on the
 * cluster: the pairs table is joined to the distributed rows ({@link EmbeddingRows}) on its first
 * item, then on its second, each pair scored by cosine where both rows meet (as {@link
 * EmbeddingSet#cosine}, the same sums in the same order), and the driver runs the protocol on the
 * pairs' scores in pair order (ROC, AUC, TAR@FAR, k-fold accuracy with the file's folds): the
 * numbers of the single-machine {@code PairVerification}. Neither the driver nor a broadcast holds
 * the embeddings; the driver receives one score per pair.
 */
public final class ShardedVerification {

    private ShardedVerification() {}

    /** The report for an in-memory set distributed over {@code partitions}. */
    public static VerificationProtocol.Report evaluate(SparkSession spark, EmbeddingSet set, PairsFile pairs,
            int partitions) {
        if (set.names() == null) {
            throw new IllegalArgumentException("verification needs item names to find the pairs' items");
        }
        EmbeddingRows rows = EmbeddingRows.of(JavaSparkContext.fromSparkContext(spark.sparkContext()), set,
                Math.max(1, partitions));
        try {
            return evaluate(rows, pairs, partitions);
        } finally {
            rows.unpersist();
        }
    }

    /**
     * The report.
     *
     * @param rows the embeddings with item names
     * @param pairs the pairs file (every item must have an embedding)
     * @param partitions the partitions of the pairs table and of the joins
     * @return the protocol's report
     */
    public static VerificationProtocol.Report evaluate(EmbeddingRows rows, PairsFile pairs, int partitions) {
        if (!rows.names) {
            throw new IllegalArgumentException("verification needs item names to find the pairs' items");
        }
        int p = Math.max(1, partitions);
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(rows.rdd.context());
        JavaPairRDD<String, double[]> byName = rows.rdd.flatMapToPair(b -> {
            List<Tuple2<String, double[]>> out = new ArrayList<>(b.rows);
            for (int i = 0; i < b.rows; i++) {
                out.add(new Tuple2<>(PairVerification.stripExtension(b.names[i]), b.row(i)));
            }
            return out.iterator();
        });
        List<PairsFile.Pair> list = pairs.pairs();
        List<Tuple2<String, Tuple2<Integer, String>>> table = new ArrayList<>(list.size());
        for (int i = 0; i < list.size(); i++) {
            table.add(new Tuple2<>(list.get(i).first(), new Tuple2<>(i, list.get(i).second())));
        }
        // (pair index, score), or (pair index, NaN and the missing side) when an item has no row
        List<Tuple2<Integer, double[]>> scored = jsc.parallelizePairs(table, p)
                .leftOuterJoin(byName, p)
                .mapToPair(t -> new Tuple2<>(t._2()._1()._2(), new Tuple2<>(t._2()._1()._1(), t._2()._2())))
                .leftOuterJoin(byName, p)
                .mapToPair(t -> {
                    int index = t._2()._1()._1();
                    Optional<double[]> a = t._2()._1()._2();
                    Optional<double[]> b = t._2()._2();
                    if (!a.isPresent() || !b.isPresent()) {
                        return new Tuple2<>(index, new double[] {Double.NaN, a.isPresent() ? 2 : 1});
                    }
                    return new Tuple2<>(index, new double[] {cosine(a.get(), b.get())});
                })
                .collect();
        double[] scores = new double[list.size()];
        int firstMissing = Integer.MAX_VALUE;
        int missingSide = 0;
        for (Tuple2<Integer, double[]> s : scored) {
            if (s._2().length == 2) {
                if (s._1() < firstMissing) {
                    firstMissing = s._1();
                    missingSide = (int) s._2()[1];
                }
                continue;
            }
            scores[s._1()] = s._2()[0];
        }
        if (firstMissing != Integer.MAX_VALUE) {
            PairsFile.Pair bad = list.get(firstMissing);
            throw new IllegalArgumentException("line " + bad.line() + ": no embedding for '"
                    + (missingSide == 1 ? bad.first() : bad.second()) + "'");
        }
        boolean[] same = new boolean[list.size()];
        int[] folds = new int[list.size()];
        for (int i = 0; i < list.size(); i++) {
            same[i] = list.get(i).same();
            folds[i] = list.get(i).fold();
        }
        return VerificationProtocol.builder().optFolds(pairs.folds()).build().evaluate(scores, same, folds);
    }

    /** {@link EmbeddingSet#cosine} of two rows: the same sums in the same order. */
    static double cosine(double[] a, double[] b) {
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int k = 0; k < a.length; k++) {
            dot += a[k] * b[k];
            na += a[k] * a[k];
            nb += b[k] * b[k];
        }
        return dot / Math.max(Math.sqrt(na) * Math.sqrt(nb), 1e-12);
    }
}
