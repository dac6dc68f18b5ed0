package org.metric4j.data;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.Shape;
import java.awt.geom.AffineTransform;
import java.awt.geom.Area;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Path2D;
import java.awt.geom.Rectangle2D;
import java.awt.geom.RoundRectangle2D;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.util.SplittableRandom;
import org.metric4j.math.Seeds;

/**
 * Draws the faces of {@link SyntheticFaces}: image {@code sample} of identity {@code identity} as
 * 8-bit RGB at a fixed size, from ({@code seed}, identity) for the {@link FaceIdentity} and
 * ({@code seed}, identity, sample) for the {@link FacePose}. Java2D shapes (antialiased) on a
 * cylindrical head, then lighting, blur and pixel noise. Stateless: the same image on every call
 * and every thread.
 */
final class FaceRenderer {

    /** The image size at which the blur sigmas of {@link FacePose} are given (they scale with the size). */
    static final int REFERENCE_SIZE = 112;

    private final int height;
    private final int width;
    private final long seed;
    private final double variation;

    FaceRenderer(int height, int width, long seed, double variation) {
        this.height = height;
        this.width = width;
        this.seed = seed;
        this.variation = variation;
    }

    /** Image {@code sample} of global identity {@code identity}, 8-bit RGB, before normalization. */
    BufferedImage render(int identity, int sample) {
        FaceIdentity face = new FaceIdentity(new SplittableRandom(Seeds.mix(seed, identity, 0x1D)));
        FacePose pose = new FacePose(new SplittableRandom(Seeds.mix(seed, identity, sample, 0x5A)),
                variation, face);
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
            g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
            draw(g, face, pose);
        } finally {
            g.dispose();
        }
        postProcess(img, pose);
        return img;
    }

    private static Color color(int rgb) {
        return new Color(rgb);
    }

    private static Color shade(int rgb, double factor) {
        int r = (int) Math.min(255, Math.round(((rgb >> 16) & 0xff) * factor));
        int g = (int) Math.min(255, Math.round(((rgb >> 8) & 0xff) * factor));
        int b = (int) Math.min(255, Math.round((rgb & 0xff) * factor));
        return new Color(r, g, b);
    }

    /** 4096 standard normal quantiles, for fast pixel noise (12 random bits a draw). */
    private static final float[] GAUSS = new float[4096];

    static {
        for (int i = 0; i < GAUSS.length; i++) {
            GAUSS[i] = (float) inverseNormal((i + 0.5) / GAUSS.length);
        }
    }

    /** The standard normal quantile (Acklam's rational approximation, relative error 1e-9). */
    private static double inverseNormal(double p) {
        double[] a = {-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
            1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00};
        double[] b = {-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
            6.680131188771972e+01, -1.328068155288572e+01};
        double[] c = {-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
            -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00};
        double[] d = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
            3.754408661907416e+00};
        if (p < 0.02425) {
            double q = Math.sqrt(-2 * Math.log(p));
            return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5])
                    / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
        }
        if (p > 1 - 0.02425) {
            return -inverseNormal(1 - p);
        }
        double q = p - 0.5;
        double r = q * q;
        return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q
                / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
    }

    // ------------------------------------------------------------------------------- drawing

    /** Horizontal position of a point x (at depth d in front of the head surface) after yaw. */
    private static float yawX(FaceIdentity f, FacePose p, float x, float depth) {
        double s = Math.max(-1, Math.min(1, x / f.a));
        return (float) (f.a * Math.sin(Math.asin(s) + p.yaw) + depth * Math.sin(p.yaw));
    }

    /** Foreshortening of a feature at x after yaw (cosine of its angle to the viewer). */
    private static float yawScale(FaceIdentity f, FacePose p, float x) {
        double s = Math.max(-1, Math.min(1, x / f.a));
        return (float) Math.max(0.15, Math.cos(Math.asin(s) + p.yaw));
    }

    private void draw(Graphics2D g, FaceIdentity f, FacePose p) {
        double size = Math.min(width, height);
        double bx = Math.cos(p.bgAngle) * width / 2;
        double by = Math.sin(p.bgAngle) * height / 2;
        g.setPaint(new GradientPaint((float) (width / 2.0 - bx), (float) (height / 2.0 - by),
                color(p.bg1), (float) (width / 2.0 + bx), (float) (height / 2.0 + by),
                color(p.bg2)));
        g.fillRect(0, 0, width, height);

        AffineTransform base = g.getTransform();
        g.translate(width / 2.0 + p.tx * size, height / 2.0 + p.ty * size);
        g.rotate(p.roll);
        g.scale(size * p.scale, size * p.scale);
        float pitchY = p.pitch * 0.04f;

        // shoulders and neck
        g.setColor(color(p.shirt));
        g.fill(new Ellipse2D.Float(-f.a * 2.1f, f.b * 1.05f, f.a * 4.2f, f.b * 1.4f));
        g.setColor(shade(f.skin, 0.82));
        g.fill(new Rectangle2D.Float(
                -f.a * 0.42f + p.yaw * 0.02f, f.b * 0.5f, f.a * 0.84f, f.b * 0.8f));

        Shape head = headShape(f);
        // long hair behind the head
        if (f.hairStyle == 1) {
            g.setColor(color(f.hair));
            g.fill(new RoundRectangle2D.Float(-f.a * 1.18f, -f.b * 1.08f, f.a * 2.36f, f.b * 1.95f,
                    f.a * 1.2f, f.a * 1.2f));
        }
        // ears
        for (int side = -1; side <= 1; side += 2) {
            double ang = side * 1.4 + p.yaw;
            if (Math.cos(ang) < -0.2) {
                continue;
            }
            float ex = (float) (f.a * Math.sin(ang));
            float ew = f.earSize * 0.7f * (float) Math.max(0.3, Math.abs(Math.sin(ang)));
            float ey = f.eyeY + pitchY + 0.01f;
            g.setColor(shade(f.skin, 0.9));
            g.fill(new Ellipse2D.Float(ex - ew / 2 + side * ew * 0.25f, ey - f.earSize * 0.4f, ew,
                    f.earSize * 1.5f));
        }
        // face
        g.setColor(color(f.skin));
        g.fill(head);
        // the side turning away gets darker
        float edge = p.yaw > 0 ? -f.a : f.a;
        float reach = f.a * Math.min(1.2f, 0.3f + Math.abs(p.yaw));
        int darkness = (int) Math.min(90, 20 + 90 * Math.abs(p.yaw));
        g.setPaint(new GradientPaint(edge, 0, new Color(0, 0, 0, darkness),
                edge - Math.signum(edge) * reach, 0, new Color(0, 0, 0, 0)));
        g.fill(head);
        // mole
        if (f.mole) {
            float mx = yawX(f, p, f.moleX * f.a, 0);
            g.setColor(shade(f.skin, 0.45));
            float ms = 0.012f;
            g.fill(new Ellipse2D.Float(mx - ms / 2, f.moleY * f.b + pitchY - ms / 2, ms, ms));
        }
        drawHair(g, f, p, head);
        drawBeard(g, f, p, head, pitchY);
        for (int side = -1; side <= 1; side += 2) {
            drawEye(g, f, p, side, pitchY);
        }
        drawNose(g, f, p, pitchY);
        drawMouth(g, f, p, pitchY);
        if (p.glasses) {
            drawGlasses(g, f, p, pitchY);
        }
        g.setTransform(base);
    }

    /** The head outline: a closed Catmull-Rom spline through temple, cheek, jaw and chin points. */
    private static Shape headShape(FaceIdentity f) {
        float[][] pts = {
            {0, -f.b}, {f.a * f.temple, -f.b * 0.62f}, {f.a, -f.b * 0.05f},
            {f.a * f.jaw, f.b * 0.52f}, {f.a * f.chin, f.b * 0.9f}, {0, f.b},
            {-f.a * f.chin, f.b * 0.9f}, {-f.a * f.jaw, f.b * 0.52f}, {-f.a, -f.b * 0.05f},
            {-f.a * f.temple, -f.b * 0.62f}};
        Path2D.Float path = new Path2D.Float();
        int n = pts.length;
        path.moveTo(pts[0][0], pts[0][1]);
        for (int i = 0; i < n; i++) {
            float[] p0 = pts[(i - 1 + n) % n];
            float[] p1 = pts[i];
            float[] p2 = pts[(i + 1) % n];
            float[] p3 = pts[(i + 2) % n];
            path.curveTo(p1[0] + (p2[0] - p0[0]) / 6, p1[1] + (p2[1] - p0[1]) / 6,
                    p2[0] - (p3[0] - p1[0]) / 6, p2[1] - (p3[1] - p1[1]) / 6, p2[0], p2[1]);
        }
        path.closePath();
        return path;
    }

    private static void drawHair(Graphics2D g, FaceIdentity f, FacePose p, Shape head) {
        g.setColor(color(f.hair));
        float line = -f.b * (f.hairline + p.hairJitter);
        Area cap = new Area(
                new Ellipse2D.Float(-f.a * 1.07f, -f.b * 1.1f, f.a * 2.14f, f.b * 1.9f));
        Path2D.Float above = new Path2D.Float();
        float part = f.hairPart * f.a + p.yaw * f.a * 0.5f;
        above.moveTo(-f.a * 1.5f, -f.b * 1.5f);
        above.lineTo(f.a * 1.5f, -f.b * 1.5f);
        above.lineTo(f.a * 1.5f, line + f.b * 0.25f);
        above.quadTo(f.a * 0.9f, line + f.b * 0.02f, part, line - f.b * 0.04f);
        above.quadTo(-f.a * 0.9f, line + f.b * 0.02f, -f.a * 1.5f, line + f.b * 0.25f);
        above.closePath();
        switch (f.hairStyle) {
            case 2: { // receding: only the sides and the back
                Area sides = new Area(cap);
                sides.subtract(new Area(new Ellipse2D.Float(-f.a * 0.75f, -f.b * 1.3f, f.a * 1.5f,
                        f.b * 0.9f)));
                sides.intersect(new Area(new Rectangle2D.Float(-f.a * 1.5f, -f.b * 1.5f, f.a * 3f,
                        f.b * 1.2f)));
                Area face = new Area(head);
                face.intersect(new Area(new Rectangle2D.Float(-f.a * 0.92f, -f.b * 2f,
                        f.a * 1.84f, f.b * 4f)));
                sides.subtract(face);
                g.fill(sides);
                return;
            }
            case 3: { // curly volume: a crown of circles
                Area crown = new Area();
                for (int i = 0; i <= 8; i++) {
                    double t = Math.PI * (1.05 + 0.9 * i / 8.0);
                    float r = f.a * 0.32f;
                    float cx = (float) (Math.cos(t) * f.a * 0.95);
                    float cy = (float) (Math.sin(t) * f.b * 0.92) + f.b * 0.05f;
                    crown.add(new Area(new Ellipse2D.Float(cx - r, cy - r, 2 * r, 2 * r)));
                }
                crown.add(cap);
                crown.intersect(new Area(above));
                g.fill(crown);
                return;
            }
            case 4: { // crew cut: a thin translucent cap
                cap.intersect(new Area(above));
                Area headArea = new Area(head);
                cap.intersect(headArea);
                g.setColor(new Color(
                        (f.hair >> 16) & 0xff, (f.hair >> 8) & 0xff, f.hair & 0xff, 170));
                g.fill(cap);
                return;
            }
            default: { // short (0) or the top of long hair (1)
                cap.intersect(new Area(above));
                g.fill(cap);
            }
        }
    }

    private static void drawBeard(Graphics2D g, FaceIdentity f, FacePose p, Shape head, float pitchY) {
        if (f.beard == 0) {
            return;
        }
        g.setColor(new Color((f.hair >> 16) & 0xff, (f.hair >> 8) & 0xff, f.hair & 0xff, 215));
        float mx = yawX(f, p, 0, 0.02f);
        float my = f.mouthY + pitchY;
        if (f.beard == 1 || f.beard == 2) { // mustache
            g.setStroke(new BasicStroke(0.016f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
            Path2D.Float m = new Path2D.Float();
            float w = f.mouthW * 0.62f;
            m.moveTo(mx - w, my - 0.008f);
            m.quadTo(mx, my - 0.035f, mx + w, my - 0.008f);
            g.draw(m);
        }
        if (f.beard == 2) { // full beard: the lower face below the mouth corners
            Path2D.Float below = new Path2D.Float();
            float cheek = f.eyeY + pitchY + f.noseLen * 0.75f;
            below.moveTo(-f.a * 2, cheek);
            below.quadTo(mx, my + 0.02f, f.a * 2, cheek);
            below.lineTo(f.a * 2, f.b * 2);
            below.lineTo(-f.a * 2, f.b * 2);
            below.closePath();
            Area beard = new Area(head);
            beard.intersect(new Area(below));
            beard.subtract(new Area(new Ellipse2D.Float(mx - f.mouthW * 0.7f, my - 0.025f,
                    f.mouthW * 1.4f, 0.05f)));
            g.fill(beard);
        }
        if (f.beard == 3) { // goatee
            g.fill(new Ellipse2D.Float(mx - f.mouthW * 0.45f, my + 0.018f, f.mouthW * 0.9f,
                    Math.max(0.03f, f.b - f.mouthY - 0.02f)));
        }
    }

    private static void drawEye(Graphics2D g, FaceIdentity f, FacePose p, int side, float pitchY) {
        float x0 = side * f.eyeDist;
        float cx = yawX(f, p, x0, 0);
        float fs = yawScale(f, p, x0);
        float w = f.eyeW * fs;
        float open = p.eyeOpen;
        float h = f.eyeH * open;
        float cy = f.eyeY + pitchY;
        AffineTransform saved = g.getTransform();
        g.translate(cx, cy);
        g.rotate(side * f.eyeTilt);
        Path2D.Float eye = new Path2D.Float();
        eye.moveTo(-w, 0);
        eye.quadTo(0, -h * 1.5f, w, 0);
        eye.quadTo(0, h * 1.1f, -w, 0);
        eye.closePath();
        g.setColor(new Color(0xF2EEE8));
        g.fill(eye);
        Shape clip = g.getClip();
        g.clip(eye);
        float ir = f.eyeH * 0.85f;
        float ix = p.yaw * w * 0.3f;
        g.setColor(color(f.iris));
        g.fill(new Ellipse2D.Float(ix - ir * fs, -ir, 2 * ir * fs, 2 * ir));
        g.setColor(new Color(0x101010));
        g.fill(new Ellipse2D.Float(ix - ir * 0.45f * fs, -ir * 0.45f, ir * 0.9f * fs, ir * 0.9f));
        g.setClip(clip);
        g.setColor(shade(f.skin, 0.35));
        g.setStroke(new BasicStroke(0.006f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
        Path2D.Float lid = new Path2D.Float();
        lid.moveTo(-w * 1.05f, 0);
        lid.quadTo(0, -h * 1.5f, w * 1.05f, 0);
        g.draw(lid);
        // brow
        float by = -f.eyeH - f.browGap - p.browRaise;
        float bl = w * f.browLen;
        Path2D.Float brow = new Path2D.Float();
        brow.moveTo(-bl, by + side * f.browTilt * bl * 0.3f);
        brow.quadTo(0, by - f.browArch, bl, by - side * f.browTilt * bl * 0.3f);
        g.setColor(shade(f.hair, f.hair == 0 ? 1 : 0.85));
        g.setStroke(new BasicStroke(f.browThick, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
        g.draw(brow);
        g.setTransform(saved);
    }

    private static void drawNose(Graphics2D g, FaceIdentity f, FacePose p, float pitchY) {
        float top = f.eyeY + pitchY + 0.01f;
        float tip = f.eyeY + f.noseLen + pitchY * 1.3f;
        float bridge = yawX(f, p, 0, 0.01f);
        float tx = yawX(f, p, 0, 0.05f);
        g.setColor(shade(f.skin, 0.8));
        g.setStroke(new BasicStroke(0.007f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
        Path2D.Float side = new Path2D.Float();
        float dir = p.yaw >= 0 ? -1 : 1;
        side.moveTo(bridge + dir * 0.012f, top);
        side.quadTo(tx + dir * 0.016f, (top + tip) / 2, tx + dir * f.noseW * 0.6f, tip);
        g.draw(side);
        Path2D.Float baseLine = new Path2D.Float();
        baseLine.moveTo(tx - f.noseW, tip - 0.006f);
        baseLine.quadTo(tx, tip + 0.022f, tx + f.noseW, tip - 0.006f);
        g.draw(baseLine);
        g.setColor(shade(f.skin, 0.45));
        float nr = f.noseW * 0.32f;
        for (int s = -1; s <= 1; s += 2) {
            g.fill(new Ellipse2D.Float(
                    tx + s * f.noseW * 0.5f - nr, tip - nr * 0.3f, 2 * nr, nr * 1.1f));
        }
    }

    private static void drawMouth(Graphics2D g, FaceIdentity f, FacePose p, float pitchY) {
        float cx = yawX(f, p, 0, 0.02f);
        float fs = yawScale(f, p, 0);
        float w = f.mouthW * (0.85f + 0.15f * fs) * (1 + 0.15f * Math.max(0, p.smile));
        float cy = f.mouthY + pitchY * 1.5f;
        float lift = p.smile * 0.022f;
        float open = p.mouthOpen * 0.03f;
        Path2D.Float lips = new Path2D.Float();
        lips.moveTo(cx - w, cy - lift);
        lips.quadTo(cx, cy - f.lipThick * 1.6f - open * 0.3f, cx + w, cy - lift);
        lips.quadTo(cx, cy + lift * 1.2f + f.lipThick * 2.2f + open, cx - w, cy - lift);
        lips.closePath();
        g.setColor(color(f.lip));
        g.fill(lips);
        Path2D.Float line = new Path2D.Float();
        line.moveTo(cx - w * 0.98f, cy - lift);
        line.quadTo(cx, cy + lift * 1.4f + open * 0.5f, cx + w * 0.98f, cy - lift);
        if (open > 0) {
            Path2D.Float inner = new Path2D.Float();
            inner.moveTo(cx - w * 0.85f, cy - lift * 0.8f);
            inner.quadTo(cx, cy - open * 0.2f, cx + w * 0.85f, cy - lift * 0.8f);
            inner.quadTo(cx, cy + lift + open * 1.3f, cx - w * 0.85f, cy - lift * 0.8f);
            inner.closePath();
            g.setColor(new Color(0x3A1414));
            g.fill(inner);
            if (p.smile > 0.3) {
                Shape clip = g.getClip();
                g.clip(inner);
                g.setColor(new Color(0xF4F0E6));
                g.fill(new Rectangle2D.Float(
                        cx - w, cy - lift - 0.02f, 2 * w, 0.02f + open * 0.4f));
                g.setClip(clip);
            }
        }
        g.setColor(shade(f.lip, 0.55));
        g.setStroke(new BasicStroke(0.005f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
        g.draw(line);
    }

    private static void drawGlasses(Graphics2D g, FaceIdentity f, FacePose p, float pitchY) {
        Color frame = color(p.glassesColor);
        float cy = f.eyeY + pitchY - f.eyeH * 0.2f;
        float r = f.eyeW * 1.45f;
        float[] xs = new float[2];
        for (int s = 0; s < 2; s++) {
            float x0 = (s == 0 ? -1 : 1) * f.eyeDist;
            xs[s] = yawX(f, p, x0, 0.015f);
            float fs = yawScale(f, p, x0);
            Shape lens = new RoundRectangle2D.Float(xs[s] - r * fs, cy - r * 0.75f, 2 * r * fs,
                    1.5f * r, r * 0.8f, r * 0.8f);
            if (p.sunglasses) {
                g.setColor(new Color(20, 20, 25, 215));
                g.fill(lens);
            } else {
                g.setColor(new Color(200, 220, 240, 40));
                g.fill(lens);
            }
            g.setColor(frame);
            g.setStroke(new BasicStroke(0.008f));
            g.draw(lens);
        }
        Path2D.Float bridge = new Path2D.Float();
        bridge.moveTo(xs[0] + r * 0.7f, cy - r * 0.2f);
        bridge.quadTo((xs[0] + xs[1]) / 2, cy - r * 0.55f, xs[1] - r * 0.7f, cy - r * 0.2f);
        g.draw(bridge);
    }

    // ---------------------------------------------------------------------------- post-processing

    /** Lighting (brightness, contrast, shading gradient, color cast), blur, noise; 8-bit result. */
    private void postProcess(BufferedImage img, FacePose p) {
        int n = width * height;
        int[] px = ((DataBufferInt) img.getRaster().getDataBuffer()).getData();
        float[][] planes = new float[3][n];
        for (int i = 0; i < n; i++) {
            planes[0][i] = (px[i] >>> 16) & 0xff;
            planes[1][i] = (px[i] >>> 8) & 0xff;
            planes[2][i] = px[i] & 0xff;
        }
        double size = Math.min(width, height);
        if (p.blur > 0) {
            for (float[] plane : planes) {
                blur(plane, width, height, p.blur * size / REFERENCE_SIZE);
            }
        }
        float lx = (float) Math.cos(p.lightAngle);
        float ly = (float) Math.sin(p.lightAngle);
        SplittableRandom noise = new SplittableRandom(p.noiseSeed);
        long bits = 0;
        int left = 0;
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int i = y * width + x;
                float d = (float) (((x - width / 2.0) * lx + (y - height / 2.0) * ly) / size);
                float light = p.brightness * (1 + p.lightStrength * 2 * d);
                int out = 0;
                for (int c = 0; c < 3; c++) {
                    float v = planes[c][i] / 255f * light * p.cast[c];
                    v = (v - 0.5f) * p.contrast + 0.5f;
                    v *= 255f;
                    if (p.noise > 0) {
                        if (left == 0) {
                            bits = noise.nextLong();
                            left = 5;
                        }
                        v += GAUSS[(int) (bits & (GAUSS.length - 1))] * p.noise;
                        bits >>>= 12;
                        left--;
                    }
                    int q = Math.max(0, Math.min(255, Math.round(v)));
                    out = (out << 8) | q;
                }
                px[i] = out;
            }
        }
    }

    /** Separable Gaussian blur in place, edges clamped. */
    private static void blur(float[] plane, int w, int h, double sigma) {
        if (sigma < 0.2) {
            return;
        }
        int radius = (int) Math.ceil(2.5 * sigma);
        float[] k = new float[2 * radius + 1];
        float sum = 0;
        for (int i = -radius; i <= radius; i++) {
            k[i + radius] = (float) Math.exp(-i * i / (2 * sigma * sigma));
            sum += k[i + radius];
        }
        for (int i = 0; i < k.length; i++) {
            k[i] /= sum;
        }
        int pad = radius;
        float[] line = new float[Math.max(w, h) + 2 * pad];
        for (int y = 0; y < h; y++) {
            convolve(plane, y * w, 1, w, k, line);
        }
        for (int x = 0; x < w; x++) {
            convolve(plane, x, w, h, k, line);
        }
    }

    /** Convolves n values a[start + i * stride] with kernel k in place, edges clamped. */
    private static void convolve(float[] a, int start, int stride, int n, float[] k, float[] line) {
        int radius = k.length / 2;
        for (int i = -radius; i < n + radius; i++) {
            line[i + radius] = a[start + Math.max(0, Math.min(n - 1, i)) * stride];
        }
        for (int i = 0; i < n; i++) {
            float acc = 0;
            for (int j = 0; j < k.length; j++) {
                acc += k[j] * line[i + j];
            }
            a[start + i * stride] = acc;
        }
    }
}
