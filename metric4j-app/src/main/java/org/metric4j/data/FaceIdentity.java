package org.metric4j.data;

import java.util.SplittableRandom;

/**
 * The geometry and colors of one identity of {@link SyntheticFaces}, drawn from the identity's
 * random stream: head outline, skin, ears, hair, eyes, brows, nose, mouth, facial hair, a mole and
 * a tendency to wear glasses. Lengths are in units of the image size, the head centred at the
 * origin. Also the random draws shared with {@link FacePose}.
 */
final class FaceIdentity {

    private static final int[] SKIN = {0xF6D7C3, 0xEAC09F, 0xD9A47E, 0xC18863, 0x9C6646, 0x6E452E};
    private static final int[] HAIR = {0x1C1410, 0x3B2618, 0x6A4426, 0xA8743E, 0xD8B878, 0x8C3A1E,
        0x9A9A96, 0xE3E0D8};
    private static final int[] IRIS = {0x3B2A1C, 0x5C3D22, 0x6E7F3A, 0x3E6E9A, 0x7A8A99, 0x2A2A2A};

    final float a;
    final float b;
    final float temple;
    final float jaw;
    final float chin;
    final int skin;
    final int hair;
    final int hairStyle;
    final float hairline;
    final float hairPart;
    final float earSize;
    final float eyeY;
    final float eyeDist;
    final float eyeW;
    final float eyeH;
    final float eyeTilt;
    final int iris;
    final float browGap;
    final float browThick;
    final float browLen;
    final float browArch;
    final float browTilt;
    final float noseLen;
    final float noseW;
    final float mouthY;
    final float mouthW;
    final float lipThick;
    final int lip;
    final int beard;
    final float moleX;
    final float moleY;
    final boolean mole;
    final double glassesRate;

    FaceIdentity(SplittableRandom r) {
        a = uniform(r, 0.28, 0.34);
        b = a * uniform(r, 1.18, 1.42);
        temple = uniform(r, 0.82, 0.95);
        jaw = uniform(r, 0.74, 0.94);
        chin = uniform(r, 0.28, 0.48);
        double tone = r.nextDouble() * (SKIN.length - 1);
        int t0 = (int) Math.floor(tone);
        int base = mixRgb(SKIN[t0], SKIN[Math.min(SKIN.length - 1, t0 + 1)], tone - t0);
        skin = mixRgb(base, r.nextBoolean() ? 0xE0A090 : 0xD8C080, r.nextDouble() * 0.25);
        int h = r.nextInt(HAIR.length);
        hair = mixRgb(HAIR[h], HAIR[r.nextInt(HAIR.length)], r.nextDouble() * 0.3);
        hairStyle = r.nextInt(5);
        hairline = uniform(r, 0.55, 0.8);
        hairPart = uniform(r, -0.5, 0.5);
        earSize = uniform(r, 0.055, 0.085);
        eyeY = uniform(r, -0.085, -0.035);
        eyeDist = uniform(r, 0.115, 0.155);
        eyeW = uniform(r, 0.042, 0.06);
        eyeH = eyeW * uniform(r, 0.38, 0.62);
        eyeTilt = uniform(r, -0.18, 0.18);
        iris = IRIS[r.nextInt(IRIS.length)];
        browGap = uniform(r, 0.035, 0.07);
        browThick = uniform(r, 0.008, 0.022);
        browLen = uniform(r, 1.0, 1.5);
        browArch = uniform(r, -0.01, 0.03);
        browTilt = uniform(r, -0.2, 0.2);
        noseLen = uniform(r, 0.11, 0.17);
        noseW = uniform(r, 0.028, 0.05);
        float mouthGap = uniform(r, 0.06, 0.1);
        mouthY = Math.min(eyeY + noseLen + mouthGap, b * 0.72f);
        mouthW = uniform(r, 0.065, 0.1);
        lipThick = uniform(r, 0.006, 0.018);
        lip = mixRgb(skin, r.nextBoolean() ? 0xB0404A : 0x9A5040, uniform(r, 0.3, 0.6));
        double beardRoll = r.nextDouble();
        beard = beardRoll < 0.65 ? 0 : beardRoll < 0.77 ? 1 : beardRoll < 0.9 ? 2 : 3;
        mole = r.nextDouble() < 0.35;
        moleX = uniform(r, -0.7, 0.7);
        moleY = uniform(r, -0.1, 0.6);
        glassesRate = r.nextDouble() < 0.25 ? 0.8 : 0.04;
    }

    /** A uniform draw in [lo, hi). */
    static float uniform(SplittableRandom r, double lo, double hi) {
        return (float) (lo + (hi - lo) * r.nextDouble());
    }

    /** A normal draw with standard deviation {@code sigma}, clipped to [-clip, clip] (Box-Muller). */
    static float gauss(SplittableRandom r, double sigma, double clip) {
        double u1 = 1.0 - r.nextDouble();
        double u2 = r.nextDouble();
        double z = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
        return (float) Math.max(-clip, Math.min(clip, z * sigma));
    }

    /** The RGB color {@code (1 - t) a + t b}, per channel, rounded. */
    static int mixRgb(int a, int b, double t) {
        int r = (int) Math.round(((a >> 16) & 0xff) * (1 - t) + ((b >> 16) & 0xff) * t);
        int g = (int) Math.round(((a >> 8) & 0xff) * (1 - t) + ((b >> 8) & 0xff) * t);
        int bl = (int) Math.round((a & 0xff) * (1 - t) + (b & 0xff) * t);
        return (r << 16) | (g << 8) | bl;
    }
}
