// SPDX-License-Identifier: Apache-2.0
package dev.vmm.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Draws the first-touch table as an SVG bar chart: one group per access, size and page size, one
 * bar per policy, split into the pre-fault's time and the guest's touch time. Bars share a scale
 * within a group (the group's longest total), so each group reads as "which policy wins here".
 */
final class SummaryPlot {
    private static final int WIDTH = 960;
    private static final int BAR_START = 120;
    private static final int BAR_WIDTH = 600;
    private static final int ROW = 20;
    private static final String PRE_FAULT_COLOUR = "#f0a040";
    private static final String TOUCH_COLOUR = "#3070b0";

    private SummaryPlot() {}

    static String svg(List<Summary.FirstTouchRow> rows, String title) {
        Map<String, List<Summary.FirstTouchRow>> groups = new LinkedHashMap<>();
        for (Summary.FirstTouchRow r : rows) {
            groups.computeIfAbsent(r.access() + " touch, " + Summary.mib(r.sizeMiB()) + ", " + r.pages() + " pages",
                    k -> new ArrayList<>()).add(r);
        }
        List<String> body = new ArrayList<>();
        int y = 70;
        for (Map.Entry<String, List<Summary.FirstTouchRow>> group : groups.entrySet()) {
            body.add(text(10, y + 14, "font-weight:bold", group.getKey()));
            y += ROW + 2;
            double longest = group.getValue().stream().mapToDouble(r -> finite(r.totalMs())).max().orElse(1);
            for (Summary.FirstTouchRow r : group.getValue()) {
                double scale = longest > 0 ? BAR_WIDTH / longest : 0;
                double pre = finite(r.preFaultMs()) * scale;
                double touch = r.touch().score() * scale;
                body.add(text(10, y + 14, "", r.policy().name()));
                body.add(rect(BAR_START, y + 2, pre, PRE_FAULT_COLOUR));
                body.add(rect(BAR_START + pre, y + 2, touch, TOUCH_COLOUR));
                String speedup = Double.isNaN(r.speedup()) ? "" : String.format(Locale.ROOT, ", %.2fx vs NONE", r.speedup());
                body.add(text((int) (BAR_START + pre + touch) + 6, y + 14, "",
                        String.format(Locale.ROOT, "%.1f ms%s", r.totalMs(), speedup)));
                y += ROW;
            }
            y += 10;
        }
        StringBuilder svg = new StringBuilder();
        svg.append(String.format(Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" font-size=\"12\">%n",
                WIDTH, y + 10));
        svg.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        svg.append(text(10, 20, "font-size:15px;font-weight:bold", "Guest first touch of one byte per 4 KiB page, per pre-fault policy")).append('\n');
        svg.append(text(10, 38, "", title)).append('\n');
        svg.append(rect(10, 48, 14, PRE_FAULT_COLOUR)).append(text(30, 59, "", "pre-fault (one vCPU)")).append('\n');
        svg.append(rect(180, 48, 14, TOUCH_COLOUR)).append(text(200, 59, "", "guest touch (KVM_RUN to HLT)")).append('\n');
        svg.append(text(420, 59, "", "bars share a scale within each group")).append('\n');
        for (String element : body) {
            svg.append(element).append('\n');
        }
        return svg.append("</svg>\n").toString();
    }

    private static double finite(double value) {
        return Double.isNaN(value) ? 0 : value;
    }

    private static String rect(double x, double y, double width, String colour) {
        return String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"14\" fill=\"%s\"/>", x, y, Math.max(0, width), colour);
    }

    private static String text(int x, int y, String style, String content) {
        String escaped = content.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
        return String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\"%s>%s</text>", x, y,
                style.isEmpty() ? "" : " style=\"" + style + "\"", escaped);
    }
}
