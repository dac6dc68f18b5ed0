/**
 * metric4j on Apache Spark ({@code --engine spark}): the embedding job (images to Parquet with a
 * TorchScript or ONNX model and the driver's preprocessing, one model per executor JVM; image
 * folders listed as {@code ImageFolder} lists them) and sharded exact evaluation that gives the single-machine numbers without
 * gathering the set: the rows stay a distributed dataset ({@link org.metric4j.spark.EmbeddingRows}),
 * retrieval streams query blocks against every reference partition and reduces the metrics on the
 * executors, verification joins the pairs table to the rows by name.
 */
package org.metric4j.spark;
