/**
 * Evaluation protocols of the field: verification (10-fold accuracy, ROC, AUC, EER, TAR@FAR),
 * identification (CMC, open-set DIR), retrieval (Precision@1, R-Precision, MAP@R, Recall@K) and
 * clustering, with an exact k-nearest-neighbour search in blocks on the engine; and the IJB-B /
 * IJB-C template protocols of InsightFace ({@link org.metric4j.eval.TemplatePooling}, 1:1 {@link
 * org.metric4j.eval.IjbVerification}, 1:N {@link org.metric4j.eval.IjbIdentification}); and
 * PML's inference tools: {@link org.metric4j.eval.MatchFinder} (pairs under a threshold) and
 * {@link org.metric4j.eval.InferenceModel} (an embedder with a {@link
 * org.metric4j.eval.ReferenceIndex}: top-k and threshold matches).
 */
package org.metric4j.eval;
