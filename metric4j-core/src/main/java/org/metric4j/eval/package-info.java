/**
 * Evaluation protocols of the field: verification (10-fold accuracy, ROC, AUC, EER, TAR@FAR),
 * identification (CMC, open-set DIR), retrieval (Precision@1, R-Precision, MAP@R, Recall@K) and
 * clustering, with an exact k-nearest-neighbour search in blocks on the engine.
 */
package org.metric4j.eval;
