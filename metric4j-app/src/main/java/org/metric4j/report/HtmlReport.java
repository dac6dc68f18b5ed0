package org.metric4j.report;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.VectorGraphicsEncoder;
import org.knowm.xchart.XYChart;

/**
 * One self-contained HTML page (figures embedded as PNG data, no external resource) plus every
 * figure as PNG and SVG under {@code figures/}. Sections are added in order: text, figures,
 * tables, metric definitions, and the command and versions that produced the report.
 */
public final class HtmlReport {

    private final String title;
    private final List<String> body = new ArrayList<>();
    private final Map<String, XYChart> figures = new LinkedHashMap<>();

    /** A report with a title. */
    public HtmlReport(String title) {
        this.title = title;
    }

    /** A heading. */
    public HtmlReport heading(String text) {
        body.add("<h2>" + esc(text) + "</h2>");
        return this;
    }

    /** A paragraph. */
    public HtmlReport paragraph(String text) {
        body.add("<p>" + esc(text) + "</p>");
        return this;
    }

    /** A figure (file name without extension; unique). */
    public HtmlReport figure(String name, XYChart chart, String caption) {
        if (figures.containsKey(name)) {
            throw new IllegalArgumentException("figure name '" + name + "' is used twice");
        }
        figures.put(name, chart);
        body.add("<figure data-name=\"" + esc(name) + "\">@@FIGURE:" + name + "@@<figcaption>"
                + esc(caption) + " (<a href=\"figures/" + esc(name) + ".svg\">SVG</a>)</figcaption></figure>");
        return this;
    }

    /** A table of rows; numbers are printed with 4 significant digits. */
    public HtmlReport table(List<String> headers, List<List<Object>> rows) {
        StringBuilder sb = new StringBuilder("<table><thead><tr>");
        headers.forEach(h -> sb.append("<th>").append(esc(h)).append("</th>"));
        sb.append("</tr></thead><tbody>");
        for (List<Object> row : rows) {
            sb.append("<tr>");
            for (Object v : row) {
                String s = v instanceof Double d ? String.format(Locale.ROOT, "%.4g", d) : String.valueOf(v);
                sb.append("<td>").append(esc(s)).append("</td>");
            }
            sb.append("</tr>");
        }
        body.add(sb.append("</tbody></table>").toString());
        return this;
    }

    /** Definitions of the metrics used in the tables. */
    public HtmlReport definitions(Map<String, String> terms) {
        StringBuilder sb = new StringBuilder("<dl>");
        terms.forEach((k, v) -> sb.append("<dt>").append(esc(k)).append("</dt><dd>").append(esc(v)).append("</dd>"));
        body.add(sb.append("</dl>").toString());
        return this;
    }

    /** A preformatted block (the command, versions). */
    public HtmlReport code(String text) {
        body.add("<pre>" + esc(text) + "</pre>");
        return this;
    }

    /** The figures added so far. */
    public Map<String, XYChart> figures() {
        return figures;
    }

    /**
     * Writes {@code report.html} and {@code figures/NAME.png|svg} into {@code dir}.
     *
     * @return the page's path
     */
    public Path write(Path dir) throws IOException {
        Path figs = dir.resolve("figures");
        Files.createDirectories(figs);
        StringBuilder html = new StringBuilder();
        html.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>")
                .append(esc(title)).append("</title><style>")
                .append("body{font-family:sans-serif;max-width:1200px;margin:2em auto;padding:0 1em;color:#222}")
                .append("figure{display:inline-block;margin:0.5em;vertical-align:top}figure img{max-width:520px;border:1px solid #ddd}")
                .append("figcaption{font-size:0.85em;max-width:520px}table{border-collapse:collapse;margin:1em 0}")
                .append("td,th{border:1px solid #ccc;padding:0.3em 0.6em;text-align:right}th{background:#f3f3f3}")
                .append("dt{font-weight:bold}pre{background:#f6f6f6;padding:1em;overflow-x:auto}")
                .append("</style></head><body>\n<h1>").append(esc(title)).append("</h1>\n");
        String page = String.join("\n", body);
        for (Map.Entry<String, XYChart> f : figures.entrySet()) {
            ByteArrayOutputStream png = new ByteArrayOutputStream();
            BitmapEncoder.saveBitmap(f.getValue(), png, BitmapEncoder.BitmapFormat.PNG);
            Files.write(figs.resolve(f.getKey() + ".png"), png.toByteArray());
            VectorGraphicsEncoder.saveVectorGraphic(f.getValue(), figs.resolve(f.getKey()).toString(),
                    VectorGraphicsEncoder.VectorGraphicsFormat.SVG);
            String img = "<img alt=\"" + esc(f.getKey()) + "\" src=\"data:image/png;base64,"
                    + Base64.getEncoder().encodeToString(png.toByteArray()) + "\">";
            page = page.replace("@@FIGURE:" + f.getKey() + "@@", img);
        }
        html.append(page);
        html.append("\n<p id=\"status\">loading</p>\n<script>\n")
                .append("window.addEventListener('load', function () {\n")
                .append("  var imgs = document.images, ok = 0;\n")
                .append("  for (var i = 0; i < imgs.length; i++) { if (imgs[i].complete && imgs[i].naturalWidth > 0) ok++; }\n")
                .append("  document.getElementById('status').textContent = 'figures shown: ' + ok + '/' + imgs.length;\n")
                .append("});\n</script>\n</body></html>\n");
        Path file = dir.resolve("report.html");
        Files.writeString(file, html.toString(), StandardCharsets.UTF_8);
        return file;
    }

    static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
