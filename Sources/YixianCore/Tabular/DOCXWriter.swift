import Foundation

/// A block of a Word document in 公文 style.
public enum DOCXBlock: Hashable, Sendable {
    /// 方正小标宋 (falls back to 宋体), 22 pt, centred.
    case title(String)
    /// A line under the title, centred (the period, the unit).
    case subtitle(String)
    /// 黑体 16 pt: 一、二、…
    case heading(String)
    /// 仿宋 16 pt, first line indented two characters. Line breaks start new paragraphs.
    case paragraph(String)
    /// A bordered table; the first row is the header, repeated on each page.
    case table(header: [String], rows: [[String]])
    case pageBreak
}

/// Writes a minimal, valid .docx (WordprocessingML, transitional) that Word, WPS and python-docx
/// open: A4 with 公文 margins, 仿宋 body and 黑体 headings, page numbers in the footer
/// (— 1 —). Output is deterministic.
public enum DOCXWriter {
    public static func write(_ blocks: [DOCXBlock]) throws -> Data {
        var body = ""
        for block in blocks { body += xml(block) }
        // Section: A4 (11906 × 16838 twips), margins 3.7 cm top, 3.5 bottom, 2.8 left, 2.6 right (GB/T 9704).
        body += #"<w:sectPr><w:footerReference w:type="default" r:id="rIdFooter"/><w:pgSz w:w="11906" w:h="16838"/>"#
            + #"<w:pgMar w:top="2098" w:right="1474" w:bottom="1984" w:left="1588" w:header="851" w:footer="992" w:gutter="0"/></w:sectPr>"#
        let document = #"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"# + "\n"
            + #"<w:document xmlns:w="\#(wordNamespace)" xmlns:r="\#(relationshipNamespace)"><w:body>"# + body + "</w:body></w:document>"
        return try XLSXWriter.archive([
            ("[Content_Types].xml", Data(contentTypes.utf8)),
            ("_rels/.rels", Data(rootRelationships.utf8)),
            ("word/document.xml", Data(document.utf8)),
            ("word/_rels/document.xml.rels", Data(documentRelationships.utf8)),
            ("word/styles.xml", Data(styles.utf8)),
            ("word/footer1.xml", Data(footer.utf8)),
        ])
    }

    static let wordNamespace = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    static let relationshipNamespace = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

    static func xml(_ block: DOCXBlock) -> String {
        switch block {
        case .title(let text): paragraph(text, style: "Title")
        case .subtitle(let text): paragraph(text, style: "Subtitle")
        case .heading(let text): paragraph(text, style: "Heading1")
        case .paragraph(let text):
            text.split(separator: "\n", omittingEmptySubsequences: false).map { paragraph(String($0), style: nil) }.joined()
        case .table(let header, let rows): table(header: header, rows: rows)
        case .pageBreak: #"<w:p><w:r><w:br w:type="page"/></w:r></w:p>"#
        }
    }

    static func paragraph(_ text: String, style: String?) -> String {
        let properties = style.map { #"<w:pPr><w:pStyle w:val="\#($0)"/></w:pPr>"# } ?? ""
        return "<w:p>\(properties)\(run(text))</w:p>"
    }

    static func run(_ text: String, bold: Bool = false) -> String {
        let properties = bold ? "<w:rPr><w:b/></w:rPr>" : ""
        return #"<w:r>\#(properties)<w:t xml:space="preserve">\#(escape(text))</w:t></w:r>"#
    }

    static func table(header: [String], rows: [[String]]) -> String {
        let columns = max(header.count, rows.map(\.count).max() ?? 0)
        guard columns > 0 else { return "" }
        let border = #"w:val="single" w:sz="4" w:space="0" w:color="000000""#
        var xml = "<w:tbl><w:tblPr><w:tblStyle w:val=\"TableGrid\"/><w:tblW w:w=\"5000\" w:type=\"pct\"/><w:tblBorders>"
            + ["top", "left", "bottom", "right", "insideH", "insideV"].map { "<w:\($0) \(border)/>" }.joined()
            + "</w:tblBorders></w:tblPr><w:tblGrid>" + String(repeating: "<w:gridCol/>", count: columns) + "</w:tblGrid>"
        func row(_ cells: [String], header: Bool) -> String {
            let padded = cells + Array(repeating: "", count: columns - cells.count)
            return "<w:tr>" + (header ? "<w:trPr><w:tblHeader/></w:trPr>" : "")
                + padded.map { #"<w:tc><w:p><w:pPr><w:pStyle w:val="TableText"/></w:pPr>\#(run($0, bold: header))</w:p></w:tc>"# }.joined() + "</w:tr>"
        }
        if !header.isEmpty { xml += row(header, header: true) }
        for cells in rows { xml += row(cells, header: false) }
        return xml + "</w:tbl>" + #"<w:p><w:pPr><w:pStyle w:val="TableText"/></w:pPr></w:p>"#
    }

    /// XML text: markup characters escaped, characters XML 1.0 cannot hold dropped.
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default:
                let v = scalar.value
                if (v < 0x20 && v != 0x09) || v == 0xFFFE || v == 0xFFFF { continue }
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    static let contentTypes = #"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"# + "\n"
        + #"<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">"#
        + #"<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>"#
        + #"<Default Extension="xml" ContentType="application/xml"/>"#
        + #"<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>"#
        + #"<Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/>"#
        + #"<Override PartName="/word/footer1.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml"/>"#
        + "</Types>"

    static let rootRelationships = #"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"# + "\n"
        + #"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">"#
        + #"<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>"#
        + "</Relationships>"

    static let documentRelationships = #"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"# + "\n"
        + #"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">"#
        + #"<Relationship Id="rIdStyles" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>"#
        + #"<Relationship Id="rIdFooter" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer" Target="footer1.xml"/>"#
        + "</Relationships>"

    /// 仿宋 三号 (16 pt) body with 28.95 pt lines, 黑体 headings, 小标宋 title; sizes in half-points.
    static let styles: String = {
        func fonts(_ eastAsia: String) -> String {
            #"<w:rFonts w:ascii="Times New Roman" w:hAnsi="Times New Roman" w:eastAsia="\#(eastAsia)" w:cs="Times New Roman"/>"#
        }
        return #"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"# + "\n"
            + #"<w:styles xmlns:w="\#(wordNamespace)">"#
            + #"<w:docDefaults><w:rPrDefault><w:rPr>\#(fonts("仿宋"))<w:sz w:val="32"/><w:szCs w:val="32"/><w:lang w:val="en-US" w:eastAsia="zh-CN"/></w:rPr></w:rPrDefault>"#
            + #"<w:pPrDefault><w:pPr><w:spacing w:line="579" w:lineRule="exact"/><w:ind w:firstLineChars="200" w:firstLine="640"/><w:jc w:val="both"/></w:pPr></w:pPrDefault></w:docDefaults>"#
            + #"<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/></w:style>"#
            + #"<w:style w:type="paragraph" w:styleId="Title"><w:name w:val="Title"/><w:basedOn w:val="Normal"/><w:pPr><w:jc w:val="center"/><w:ind w:firstLine="0"/><w:spacing w:before="240" w:after="240" w:line="240" w:lineRule="auto"/></w:pPr><w:rPr>\#(fonts("方正小标宋简体"))<w:sz w:val="44"/><w:szCs w:val="44"/></w:rPr></w:style>"#
            + #"<w:style w:type="paragraph" w:styleId="Subtitle"><w:name w:val="Subtitle"/><w:basedOn w:val="Normal"/><w:pPr><w:jc w:val="center"/><w:ind w:firstLine="0"/></w:pPr><w:rPr>\#(fonts("楷体"))</w:rPr></w:style>"#
            + #"<w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/><w:basedOn w:val="Normal"/><w:pPr><w:keepNext/><w:outlineLvl w:val="0"/></w:pPr><w:rPr>\#(fonts("黑体"))</w:rPr></w:style>"#
            + #"<w:style w:type="paragraph" w:styleId="TableText"><w:name w:val="Table Text"/><w:basedOn w:val="Normal"/><w:pPr><w:ind w:firstLine="0"/><w:spacing w:line="240" w:lineRule="auto"/><w:jc w:val="left"/></w:pPr><w:rPr><w:sz w:val="24"/><w:szCs w:val="24"/></w:rPr></w:style>"#
            + #"<w:style w:type="table" w:styleId="TableGrid"><w:name w:val="Table Grid"/></w:style>"#
            + "</w:styles>"
    }()

    /// — page — centred, as 公文 number their pages.
    static let footer = #"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"# + "\n"
        + #"<w:ftr xmlns:w="\#(wordNamespace)"><w:p><w:pPr><w:jc w:val="center"/><w:ind w:firstLine="0"/></w:pPr>"#
        + #"<w:r><w:t xml:space="preserve">— </w:t></w:r><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve"> PAGE </w:instrText></w:r>"#
        + #"<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>1</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r><w:r><w:t xml:space="preserve"> —</w:t></w:r></w:p></w:ftr>"#
}

/// A zip of named files (a batch of documents), deflated, deterministic.
public enum ZipFile {
    public static func make(_ parts: [(path: String, data: Data)]) throws -> Data { try XLSXWriter.archive(parts) }
}
