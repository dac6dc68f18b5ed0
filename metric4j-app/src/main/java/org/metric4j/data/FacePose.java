package org.metric4j.data;

import static org.metric4j.data.FaceIdentity.gauss;
import static org.metric4j.data.FaceIdentity.mixRgb;
import static org.metric4j.data.FaceIdentity.uniform;

import java.util.SplittableRandom;

/**
 * The nuisance factors of one image of {@link SyntheticFaces}, drawn from the image's random
 * stream: in-plane rotation, translation, scale, yaw and pitch, expression, glasses, clothes and
 * background, lighting, blur and pixel noise. The ranges scale with the variation {@code v}
 * (0: every image of an identity alike).
 */
final class FacePose {

    final float roll;
    final float tx;
    final float ty;
    final float scale;
    final float yaw;
    final float pitch;
    final float smile;
    final float mouthOpen;
    final float eyeOpen;
    final float browRaise;
    final boolean glasses;
    final boolean sunglasses;
    final int glassesColor;
    final int shirt;
    final int bg1;
    final int bg2;
    final float bgAngle;
    final float brightness;
    final float contrast;
    final float lightAngle;
    final float lightStrength;
    final float[] cast = new float[3];
    final float blur;
    final float noise;
    final long noiseSeed;
    final float hairJitter;

    FacePose(SplittableRandom r, double v, FaceIdentity face) {
        roll = gauss(r, 0.10 * v, 0.26 * v);
        tx = gauss(r, 0.03 * v, 0.07 * v);
        ty = gauss(r, 0.03 * v, 0.07 * v);
        scale = (float) Math.exp(gauss(r, 0.07 * v, 0.15 * v));
        yaw = gauss(r, 0.30 * v, 0.65 * v);
        pitch = gauss(r, 0.15 * v, 0.35 * v);
        smile = (float) Math.max(-0.5, Math.min(1.0, gauss(r, 0.45 * v, 1.0)));
        mouthOpen = r.nextDouble() < 0.3 * Math.min(1, v) ? uniform(r, 0.2, 1.0) : 0f;
        eyeOpen = r.nextDouble() < 0.1 * Math.min(1, v) ? uniform(r, 0.05, 0.35)
                : (float) (1 - Math.min(0.6, Math.abs(gauss(r, 0.2 * v, 0.6))));
        browRaise = gauss(r, 0.01 * v, 0.025);
        glasses = r.nextDouble() < (v > 0 ? face.glassesRate : 0);
        sunglasses = glasses && r.nextDouble() < 0.25;
        glassesColor = r.nextBoolean() ? 0x202020 : mixRgb(0x303030, r.nextInt(0x1000000), 0.5);
        double clutter = 1 - Math.min(1, v);
        shirt = mixRgb(r.nextInt(0x1000000), 0x505A64, clutter);
        bg1 = mixRgb(r.nextInt(0x1000000), 0x808080, 0.45 + 0.55 * clutter);
        bg2 = mixRgb(r.nextInt(0x1000000), 0x808080, 0.45 + 0.55 * clutter);
        bgAngle = uniform(r, 0, 2 * Math.PI);
        brightness = (float) Math.exp(gauss(r, 0.2 * v, 0.5));
        contrast = (float) Math.exp(gauss(r, 0.15 * v, 0.4));
        lightAngle = uniform(r, 0, 2 * Math.PI);
        lightStrength = uniform(r, 0, 0.5 * v);
        for (int c = 0; c < 3; c++) {
            cast[c] = (float) Math.exp(gauss(r, 0.06 * v, 0.15));
        }
        blur = r.nextDouble() < 0.5 ? uniform(r, 0, 1.3 * v) : 0f;
        noise = uniform(r, 0, 7 * v);
        noiseSeed = r.nextLong();
        hairJitter = gauss(r, 0.02 * v, 0.05);
    }
}
