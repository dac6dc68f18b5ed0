/**
 * The service interface of the engines that run jobs beyond this JVM
 * ({@link org.metric4j.engine.DistributedEngine}, found with {@link java.util.ServiceLoader}), its
 * typed jobs and results, the imported model a job ships ({@link org.metric4j.engine.ImportedModel})
 * and how tasks run it ({@link org.metric4j.engine.ImageEmbedder}), and what every engine's benchmark lines share
 * ({@link org.metric4j.engine.BenchConfig}, {@link org.metric4j.engine.MemoryProbe}). Engine
 * modules (metric4j-spark) depend on the core and on this package only.
 */
package org.metric4j.engine;
