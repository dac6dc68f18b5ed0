/**
 * 5-landmark face alignment as InsightFace does it before ArcFace models: {@link
 * org.metric4j.data.align.FaceAligner} is {@code norm_crop} ({@code insightface/utils/face_align.py}),
 * the least-squares {@link org.metric4j.data.align.SimilarityTransform} from the landmarks to a
 * {@link org.metric4j.data.align.FaceTemplate} ({@code estimate_norm}'s {@code arcface_dst}, or
 * the IJB-B/C evaluation's shifted copy) and {@link org.metric4j.data.align.WarpAffine}, OpenCV's
 * fixed-point bilinear {@code warpAffine} reproduced bit for bit (or a plain double bilinear
 * warp). {@link org.metric4j.data.align.LandmarksFile} reads landmark lists such as IJB's {@code
 * *_name_5pts_score.txt}.
 *
 * <p>The API for callers (the IJB evaluation, the {@code align} command):
 *
 * <pre>{@code
 * FaceAligner aligner = FaceAligner.arcface(112);                 // norm_crop(img, lmk, 112)
 * AffineMatrix m = aligner.estimate(landmarks);                    // estimate_norm(lmk, 112)
 * BufferedImage crop = aligner.align(image, landmarks);            // float[10]: x1, y1, ..., x5, y5
 * FaceAligner ijbc = FaceAligner.builder().optTemplate(FaceTemplate.EVAL_IJBC).build(); // eval_ijbc.py
 * }</pre>
 */
package org.metric4j.data.align;
