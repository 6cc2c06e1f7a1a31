package dev.mailservice.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Shape;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogarithmicAxis;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.DefaultDrawingSupplier;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.renderer.category.LineAndShapeRenderer;
import org.jfree.data.category.DefaultCategoryDataset;

/** Draws every {@link Growth} as a PNG line chart beside the results file. */
final class Charts {

    /** Colours told apart on white, and by most colour-blind readers (Okabe and Ito's palette). */
    private static final Color[] PALETTE = {new Color(0xD55E00), new Color(0x0072B2), new Color(0x56B4E9),
        new Color(0x009E73), new Color(0xCC79A7), new Color(0xE69F00)};

    /** JFreeChart's own series shapes: square, circle, triangle, diamond and so on. */
    private static final Shape[] SHAPES = DefaultDrawingSupplier.createStandardSeriesShapes();

    /**
     * Each series' colour in {@link #PALETTE}, and its shape in {@link #SHAPES}, by its name: a contender
     * looks the same in every chart and in every run, whichever series a run leaves out (a quick run
     * measures no smaller pool), where by its place among the series drawn it would not.
     */
    private static final Map<String, Integer> STYLES = styles();

    /** The contenders in the order of their columns (the smaller pools as the run measures them), then the stores. */
    private static Map<String, Integer> styles() {
        List<String> contenders = new ArrayList<>(List.of(Growth.SERVICE));
        BenchmarkSettings.POOL_SIZES.reversed().forEach(size -> contenders.add(Growth.servicePool(size)));
        contenders.addAll(List.of(Growth.PIPESHUB, Growth.PIPESHUB_POOLED));
        Map<String, Integer> styles = new HashMap<>();
        for (List<String> series : List.of(contenders,
                List.of(Growth.ETCD_P50, Growth.ETCD_P99, Growth.REDIS_P50, Growth.REDIS_P99))) {
            for (int i = 0; i < series.size(); i++) {
                styles.put(series.get(i), i);
            }
        }
        return styles;
    }

    private Charts() {}

    static void write(Map<String, Double> figures, Path directory) throws IOException {
        System.setProperty("java.awt.headless", "true");
        for (Growth growth : Growth.ALL) {
            DefaultCategoryDataset data = new DefaultCategoryDataset();
            for (Growth.Line line : growth.lines()) {
                for (int point : growth.points()) {
                    Double value = figures.get(line.key().apply(point));
                    if (value != null && !(growth.log() && value <= 0)) {
                        data.addValue(value, line.label(), Integer.toString(point));
                    }
                }
            }
            JFreeChart chart = ChartFactory.createLineChart(growth.title(), growth.xLabel(), growth.yLabel(), data,
                    PlotOrientation.VERTICAL, true, false, false);
            CategoryPlot plot = chart.getCategoryPlot();
            if (growth.log()) {
                plot.setRangeAxis(new LogarithmicAxis(growth.yLabel())); // labelled 10, 100, 1,000
            }
            plot.setBackgroundPaint(Color.WHITE);
            plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
            LineAndShapeRenderer lines = (LineAndShapeRenderer) plot.getRenderer();
            lines.setDefaultShapesVisible(true);
            // The renderer numbers the series drawn, those with a value, in the order they were added.
            for (int series = 0; series < data.getRowCount(); series++) {
                int style = style(data.getRowKey(series).toString());
                lines.setSeriesPaint(series, PALETTE[style]);
                lines.setSeriesShape(series, SHAPES[style]);
                lines.setSeriesStroke(series, new BasicStroke(2.5f));
            }
            ChartUtils.saveChartAsPNG(directory.resolve(growth.file() + ".png").toFile(), chart, 800, 480);
        }
    }

    private static int style(String series) {
        Integer style = STYLES.get(series);
        if (style == null) {
            throw new IllegalStateException("no colour for the series \"" + series
                    + "\": give it one in Charts.STYLES");
        }
        return style;
    }
}
