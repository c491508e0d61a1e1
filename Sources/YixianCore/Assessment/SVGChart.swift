import Foundation

/// Charts drawn on the server as inline SVG: readable without script, printable, and testable as
/// text. Every label is escaped; sizes are in viewBox units so the chart scales with the page.
public enum SVGChart {
    public static let blue = "#1f6feb", green = "#2da44e", amber = "#d29922", red = "#cf222e", grey = "#d0d7de"

    static func escape(_ text: String) -> String { DOCXWriter.escape(text) }

    static func open(_ title: String, width: Int, height: Int) -> String {
        "<svg class=\"chart\" role=\"img\" aria-label=\"\(escape(title))\" viewBox=\"0 0 \(width) \(max(1, height))\" xmlns=\"http://www.w3.org/2000/svg\"><title>\(escape(title))</title>"
    }

    /// One horizontal bar per label, the value at its end.
    public static func bars(_ items: [(label: String, value: Int)], title: String, colour: String = blue) -> String {
        let rowHeight = 26, labelWidth = 150, barWidth = 360
        let top = max(1, items.map(\.value).max() ?? 1)
        var svg = open(title, width: labelWidth + barWidth + 60, height: items.count * rowHeight)
        for (index, item) in items.enumerated() {
            let y = index * rowHeight
            let width = max(2, item.value * barWidth / top)
            svg += "<text x=\"\(labelWidth - 8)\" y=\"\(y + 17)\" text-anchor=\"end\" font-size=\"13\">\(escape(String(item.label.prefix(12))))</text>"
            svg += "<rect x=\"\(labelWidth)\" y=\"\(y + 5)\" width=\"\(width)\" height=\"16\" rx=\"3\" fill=\"\(colour)\"></rect>"
            svg += "<text x=\"\(labelWidth + width + 6)\" y=\"\(y + 17)\" font-size=\"13\">\(item.value)</text>"
        }
        return svg + "</svg>"
    }

    /// Horizontal bars split into coloured parts (e.g. on time, late, open), with a legend.
    public static func stacked(_ rows: [(label: String, parts: [Int])], legend: [(name: String, colour: String)], title: String) -> String {
        let rowHeight = 26, labelWidth = 150, barWidth = 360, legendHeight = 24
        let top = max(1, rows.map { $0.parts.reduce(0, +) }.max() ?? 1)
        var svg = open(title, width: labelWidth + barWidth + 60, height: rows.count * rowHeight + legendHeight)
        var x = labelWidth
        for entry in legend {
            svg += "<rect x=\"\(x)\" y=\"4\" width=\"12\" height=\"12\" fill=\"\(entry.colour)\"></rect>"
            svg += "<text x=\"\(x + 16)\" y=\"15\" font-size=\"12\">\(escape(entry.name))</text>"
            x += 28 + entry.name.count * 13
        }
        for (index, row) in rows.enumerated() {
            let y = legendHeight + index * rowHeight
            svg += "<text x=\"\(labelWidth - 8)\" y=\"\(y + 17)\" text-anchor=\"end\" font-size=\"13\">\(escape(String(row.label.prefix(12))))</text>"
            var left = labelWidth
            for (part, value) in row.parts.enumerated() where value > 0 {
                let width = max(2, value * barWidth / top)
                let colour = part < legend.count ? legend[part].colour : grey
                svg += "<rect x=\"\(left)\" y=\"\(y + 5)\" width=\"\(width)\" height=\"16\" fill=\"\(colour)\"><title>\(escape(legend[safe: part]?.name ?? "")) \(value)</title></rect>"
                left += width
            }
            svg += "<text x=\"\(left + 6)\" y=\"\(y + 17)\" font-size=\"13\">\(row.parts.reduce(0, +))</text>"
        }
        return svg + "</svg>"
    }

    /// One column per week (the count of lines) and, over them, a line of the share (0…1) meeting
    /// a weekly rule — progress week by week against the rules.
    public static func weeks(_ columns: [(label: String, count: Int, share: Double?)], title: String, shareName: String) -> String {
        let height = 180, chartTop = 24, chartHeight = 130, columnWidth = 28, left = 36
        let width = left + max(1, columns.count) * columnWidth + 44
        let top = max(1, columns.map(\.count).max() ?? 1)
        var svg = open(title, width: width, height: height + 20)
        svg += "<line x1=\"\(left)\" y1=\"\(chartTop + chartHeight)\" x2=\"\(width - 10)\" y2=\"\(chartTop + chartHeight)\" stroke=\"#8c959f\"></line>"
        svg += "<text x=\"\(left - 4)\" y=\"\(chartTop + 4)\" text-anchor=\"end\" font-size=\"11\">\(top)</text>"
        // The line's own scale, on the right: its top is every requirement met.
        let right = left + max(1, columns.count) * columnWidth + 4
        svg += "<text x=\"\(right)\" y=\"\(chartTop + 4)\" font-size=\"11\" fill=\"\(green)\">100 %</text>"
        svg += "<text x=\"\(right)\" y=\"\(chartTop + chartHeight)\" font-size=\"11\" fill=\"\(green)\">0 %</text>"
        svg += "<rect x=\"\(left)\" y=\"4\" width=\"12\" height=\"12\" fill=\"\(blue)\"></rect><text x=\"\(left + 16)\" y=\"15\" font-size=\"12\">记录数</text>"
        svg += "<rect x=\"\(left + 80)\" y=\"9\" width=\"14\" height=\"3\" fill=\"\(green)\"></rect><text x=\"\(left + 98)\" y=\"15\" font-size=\"12\">\(escape(shareName))</text>"
        var points: [String] = []
        for (index, column) in columns.enumerated() {
            let x = left + index * columnWidth
            let h = column.count * chartHeight / top
            svg += "<rect x=\"\(x + 4)\" y=\"\(chartTop + chartHeight - h)\" width=\"\(columnWidth - 8)\" height=\"\(h)\" fill=\"\(blue)\"><title>\(escape(column.label)) \(column.count)</title></rect>"
            svg += "<text x=\"\(x + columnWidth / 2)\" y=\"\(chartTop + chartHeight + 14)\" text-anchor=\"middle\" font-size=\"10\">\(escape(column.label))</text>"
            if let share = column.share {
                let y = chartTop + chartHeight - Int((share * Double(chartHeight)).rounded())
                points.append("\(x + columnWidth / 2),\(y)")
                svg += "<circle cx=\"\(x + columnWidth / 2)\" cy=\"\(y)\" r=\"3\" fill=\"\(green)\"><title>\(escape(column.label)) \(Int((share * 100).rounded())) %</title></circle>"
            }
        }
        if points.count > 1 { svg += "<polyline points=\"\(points.joined(separator: " "))\" fill=\"none\" stroke=\"\(green)\" stroke-width=\"2\"></polyline>" }
        return svg + "</svg>"
    }

    /// A grid of squares, green where visited and grey where not, each named on hover and in its title.
    public static func grid(_ cells: [(label: String, on: Bool)], title: String, perRow: Int = 20) -> String {
        let size = 22
        let rows = (cells.count + perRow - 1) / max(1, perRow)
        var svg = open(title, width: perRow * size + 4, height: rows * size + 4)
        for (index, cell) in cells.enumerated() {
            let x = 2 + (index % perRow) * size, y = 2 + (index / perRow) * size
            svg += "<rect x=\"\(x)\" y=\"\(y)\" width=\"\(size - 3)\" height=\"\(size - 3)\" rx=\"3\" fill=\"\(cell.on ? green : grey)\"><title>\(escape(cell.label))\(cell.on ? "：已走访" : "：未走访")</title></rect>"
        }
        return svg + "</svg>"
    }
}

extension Array {
    subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}
