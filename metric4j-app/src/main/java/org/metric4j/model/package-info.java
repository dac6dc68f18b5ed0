/**
 * Backbones (feature extractors) that map images to embeddings: LeNet++ of the center-loss paper,
 * a small InsightFace-style residual network for 112 x 112 faces, and InsightFace's own
 * arcface_torch backbones {@link org.metric4j.model.IResNet} and {@link
 * org.metric4j.model.MobileFaceNet} (chosen by a {@link org.metric4j.model.BackboneSpec}), whose
 * parameters carry their PyTorch state-dict keys ({@link org.metric4j.model.torch.TorchStateful}).
 * They are kept at deployment; the heads of {@link org.metric4j.head} are not. Imported networks
 * live here too: TorchScript ({@link org.metric4j.model.TorchScriptEmbedder}, DJL's PyTorch engine)
 * and ONNX ({@link org.metric4j.model.OnnxEmbedder}, DJL's ONNX Runtime engine, with {@link
 * org.metric4j.model.OnnxGraph} reading the graph), each with its {@link
 * org.metric4j.model.Preprocessing} as data; {@link org.metric4j.model.BlockEmbedder} runs a backbone
 * with loaded weights the same way. {@link org.metric4j.model.IjbImageFeatures} runs any of them on
 * IJB's loose crops as InsightFace's {@code eval_ijbc.py} does (aligned, each crop with its mirror).
 */
package org.metric4j.model;
