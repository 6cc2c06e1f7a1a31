package dev.mailservice.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogarithmicAxis;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.renderer.category.LineAndShapeRenderer;
import org.jfree.data.category.DefaultCategoryDataset;

/** Draws every {@link Growth} as a PNG line chart beside the results file. */
final class Charts {

    /** Colours told apart on white, and by most colour-blind readers (Okabe and Ito's palette). */
    private static final Color[] PALETTE = {new Color(0xD55E00), new Color(0x0072B2), new Color(0x56B4E9),
        new Color(0x009E73), new Color(0xCC79A7), new Color(0xE69F00)};

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
            for (int series = 0; series < growth.lines().size(); series++) {
                lines.setSeriesPaint(series, PALETTE[series % PALETTE.length]);
                lines.setSeriesStroke(series, new BasicStroke(2.5f));
            }
            ChartUtils.saveChartAsPNG(directory.resolve(growth.file() + ".png").toFile(), chart, 800, 480);
        }
    }
}
