extension QRCode {
    /// A self-contained SVG: a light background and all dark modules as one path of horizontal runs,
    /// drawn in module units so the path stays short and `crispEdges` keeps module borders sharp.
    /// - Parameters:
    ///   - moduleSize: pixels per module for the `width`/`height` attributes; the drawing scales freely.
    ///   - quietZone: light margin in modules; the standard asks for 4.
    public func svg(moduleSize: Int = 4, quietZone: Int = 4) -> String {
        let unit = max(1, moduleSize), margin = max(0, quietZone)
        let extent = size + 2 * margin
        var path = ""
        for (row, line) in modules.enumerated() {
            var column = 0
            while column < size {
                guard line[column] else { column += 1; continue }
                let start = column
                while column < size, line[column] { column += 1 }
                path += "M\(start + margin) \(row + margin)h\(column - start)v1h-\(column - start)z"
            }
        }
        let pixels = extent * unit
        return """
        <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 \(extent) \(extent)" width="\(pixels)" height="\(pixels)" \
        shape-rendering="crispEdges"><rect width="\(extent)" height="\(extent)" fill="#fff"/>\
        <path fill="#000" d="\(path)"/></svg>
        """
    }
}
