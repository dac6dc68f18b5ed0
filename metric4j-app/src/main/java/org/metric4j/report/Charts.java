package org.metric4j.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;
import org.metric4j.eval.RocCurve;

/** The charts of the reports, built with XChart. */
public final class Charts {

    private static final int SIZE = 520;

    /** Ten distinguishable class colors (the "tab10" palette), cycled beyond ten classes. */
    static final Color[] CLASS_COLORS = {
        new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c), new Color(0xd62728), new Color(0x9467bd),
        new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f), new Color(0xbcbd22), new Color(0x17becf)
    };

    private Charts() {}

    /**
     * Features on the plane, one color per class, with class-weight directions (unit vectors
     * scaled to the cloud) when given: the figure of the center-loss, SphereFace and ArcFace papers.
     *
     * @param title the title
     * @param xy N x 2 features, row-major
     * @param labels N class ids
     * @param classNames names of the classes (index = id)
     * @param weights class directions as C x 2 (row-major), or null
     * @return the chart
     */
    public static XYChart features2d(String title, double[] xy, long[] labels, String[] classNames, double[] weights) {
        XYChart chart = base(title, "feature 1", "feature 2");
        chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        chart.getStyler().setMarkerSize(3);
        double radius = 0;
        for (int i = 0; i < labels.length; i++) {
            radius = Math.max(radius, Math.hypot(xy[2 * i], xy[2 * i + 1]));
        }
        for (int c = 0; c < classNames.length; c++) {
            List<Double> xs = new ArrayList<>();
            List<Double> ys = new ArrayList<>();
            for (int i = 0; i < labels.length; i++) {
                if (labels[i] == c) {
                    xs.add(xy[2 * i]);
                    ys.add(xy[2 * i + 1]);
                }
            }
            if (!xs.isEmpty()) {
                XYSeries s = chart.addSeries(classNames[c], xs, ys);
                s.setMarker(SeriesMarkers.CIRCLE);
                s.setMarkerColor(CLASS_COLORS[c % CLASS_COLORS.length]);
            }
        }
        if (weights != null) {
            for (int c = 0; c < classNames.length; c++) {
                double wx = weights[2 * c];
                double wy = weights[2 * c + 1];
                double n = Math.max(Math.hypot(wx, wy), 1e-12);
                XYSeries s = chart.addSeries("W " + classNames[c], new double[] {0, radius * wx / n},
                        new double[] {0, radius * wy / n});
                s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
                s.setMarker(SeriesMarkers.NONE);
                s.setLineColor(Color.BLACK);
                s.setLineStyle(new BasicStroke(1.5f));
                s.setShowInLegend(false);
            }
        }
        return chart;
    }

    /**
     * Unit 3-D features drawn on the sphere: an orthographic view after a fixed rotation, front
     * hemisphere opaque, back hemisphere faint, with the sphere's outline.
     */
    public static XYChart sphere(String title, double[] xyz, long[] labels, String[] classNames) {
        XYChart chart = base(title, "", "");
        chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        chart.getStyler().setMarkerSize(3);
        chart.getStyler().setAxisTicksVisible(false);
        double[][] view = viewRotation(xyz);
        double[] outlineX = new double[181];
        double[] outlineY = new double[181];
        for (int k = 0; k <= 180; k++) {
            outlineX[k] = Math.cos(2 * Math.PI * k / 180);
            outlineY[k] = Math.sin(2 * Math.PI * k / 180);
        }
        XYSeries outline = chart.addSeries("sphere", outlineX, outlineY);
        outline.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        outline.setMarker(SeriesMarkers.NONE);
        outline.setLineColor(Color.GRAY);
        outline.setShowInLegend(false);
        for (int c = 0; c < classNames.length; c++) {
            List<Double> fx = new ArrayList<>();
            List<Double> fy = new ArrayList<>();
            List<Double> bx = new ArrayList<>();
            List<Double> by = new ArrayList<>();
            for (int i = 0; i < labels.length; i++) {
                if (labels[i] != c) {
                    continue;
                }
                double x = xyz[3 * i];
                double y = xyz[3 * i + 1];
                double z = xyz[3 * i + 2];
                double n = Math.max(Math.sqrt(x * x + y * y + z * z), 1e-12);
                x /= n;
                y /= n;
                z /= n;
                double x1 = view[0][0] * x + view[0][1] * y + view[0][2] * z;
                double y2 = view[1][0] * x + view[1][1] * y + view[1][2] * z;
                double z2 = view[2][0] * x + view[2][1] * y + view[2][2] * z;
                (z2 >= 0 ? fx : bx).add(x1);
                (z2 >= 0 ? fy : by).add(y2);
            }
            Color color = CLASS_COLORS[c % CLASS_COLORS.length];
            if (!fx.isEmpty()) {
                XYSeries s = chart.addSeries(classNames[c], fx, fy);
                s.setMarker(SeriesMarkers.CIRCLE);
                s.setMarkerColor(color);
            }
            if (!bx.isEmpty()) {
                XYSeries s = chart.addSeries(classNames[c] + " (far side)", bx, by);
                s.setMarker(SeriesMarkers.CIRCLE);
                s.setMarkerColor(new Color(color.getRed(), color.getGreen(), color.getBlue(), 70));
                s.setShowInLegend(fx.isEmpty());
            }
        }
        chart.getStyler().setXAxisMin(-1.05).setXAxisMax(1.05).setYAxisMin(-1.05).setYAxisMax(1.05);
        return chart;
    }

    /**
     * A rotation whose third row is the mean direction of the features, so the densest side of the
     * sphere faces the viewer (an oblique default view when the features are spread evenly).
     */
    static double[][] viewRotation(double[] xyz) {
        double mx = 0;
        double my = 0;
        double mz = 0;
        for (int i = 0; i + 2 < xyz.length; i += 3) {
            double n = Math.max(Math.sqrt(xyz[i] * xyz[i] + xyz[i + 1] * xyz[i + 1] + xyz[i + 2] * xyz[i + 2]), 1e-12);
            mx += xyz[i] / n;
            my += xyz[i + 1] / n;
            mz += xyz[i + 2] / n;
        }
        double norm = Math.sqrt(mx * mx + my * my + mz * mz);
        double[] z = norm > 1e-6 * Math.max(1, xyz.length / 3.0)
                ? new double[] {mx / norm, my / norm, mz / norm}
                : new double[] {0.5, 0.5, Math.sqrt(0.5)};
        double[] helper = Math.abs(z[1]) < 0.9 ? new double[] {0, 1, 0} : new double[] {1, 0, 0};
        double[] x = cross(helper, z);
        double nx = Math.sqrt(x[0] * x[0] + x[1] * x[1] + x[2] * x[2]);
        x = new double[] {x[0] / nx, x[1] / nx, x[2] / nx};
        double[] y = cross(z, x);
        return new double[][] {x, y, z};
    }

    private static double[] cross(double[] a, double[] b) {
        return new double[] {a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]};
    }

    /** ROC curves on a logarithmic FAR axis (TAR against FAR from 1e-4 to 1). */
    public static XYChart roc(String title, Map<String, RocCurve> curves) {
        return roc(title, curves, 1e-4);
    }

    /**
     * ROC curves on a logarithmic FAR axis from {@code minFar} to 1 (points below it drawn at it).
     *
     * @param title the title
     * @param curves the curves by name
     * @param minFar the left end of the axis, in (0, 1)
     * @return the chart
     */
    public static XYChart roc(String title, Map<String, RocCurve> curves, double minFar) {
        XYChart chart = base(title, "false accept rate (log)", "true accept rate");
        chart.getStyler().setXAxisLogarithmic(true);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideSE);
        chart.getStyler().setXAxisMin(minFar).setXAxisMax(1.0).setYAxisMin(0.0).setYAxisMax(1.0);
        curves.forEach((name, roc) -> {
            double[] f = roc.fpr();
            double[] t = roc.tpr();
            List<Double> xs = new ArrayList<>();
            List<Double> ys = new ArrayList<>();
            for (int i = 0; i < f.length; i++) {
                if (f[i] > 0) {
                    xs.add(Math.max(f[i], minFar));
                    ys.add(t[i]);
                }
            }
            if (!xs.isEmpty()) {
                chart.addSeries(String.format(java.util.Locale.ROOT, "%s (AUC %.3f)", name, roc.auc()), xs, ys)
                        .setMarker(SeriesMarkers.NONE);
            }
        });
        return chart;
    }

    /** Curves over steps or epochs, one series per name. */
    public static XYChart curves(String title, String xTitle, String yTitle, Map<String, double[]> series) {
        XYChart chart = base(title, xTitle, yTitle);
        series.forEach((name, values) -> {
            if (values.length == 0) {
                return;
            }
            double[] x = new double[values.length];
            for (int i = 0; i < x.length; i++) {
                x[i] = i + 1;
            }
            chart.addSeries(name, x, values).setMarker(SeriesMarkers.NONE);
        });
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
        return chart;
    }

    /** Curves at given x values (e.g. the evaluated epochs), one series per name, with markers. */
    public static XYChart curves(String title, String xTitle, String yTitle, Map<String, double[]> xs,
            Map<String, double[]> series) {
        XYChart chart = base(title, xTitle, yTitle);
        series.forEach((name, values) -> {
            if (values.length > 0) {
                chart.addSeries(name, xs.get(name), values);
            }
        });
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
        return chart;
    }

    private static XYChart base(String title, String x, String y) {
        XYChart chart = new XYChartBuilder().width(SIZE).height(SIZE * 4 / 5).title(title)
                .xAxisTitle(x).yAxisTitle(y).theme(Styler.ChartTheme.Matlab).build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        return chart;
    }
}
