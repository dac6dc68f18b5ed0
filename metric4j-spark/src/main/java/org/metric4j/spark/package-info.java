/**
 * metric4j on Apache Spark ({@code --engine spark}): the embedding job (images to Parquet with a
 * TorchScript model, one model per executor JVM) and sharded exact evaluation that gives the
 * single-machine numbers (retrieval by per-shard exact top-k merged per query; verification over
 * a pairs table).
 */
package org.metric4j.spark;
