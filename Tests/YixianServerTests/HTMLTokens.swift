import Foundation

/// The start tags of an HTML document as a browser's tokenizer splits them: element names and
/// attribute names, with quoted and unquoted values consumed the way HTML5 does. Enough to see
/// whether text written into a page became markup.
struct HTMLTokens {
    struct Tag: Equatable {
        var name: String
        var attributes: [(name: String, value: String)]

        static func == (a: Tag, b: Tag) -> Bool {
            a.name == b.name && a.attributes.map(\.name) == b.attributes.map(\.name) && a.attributes.map(\.value) == b.attributes.map(\.value)
        }
    }

    private(set) var tags: [Tag] = []

    init(_ html: String) {
        let s = Array(html.unicodeScalars)
        var i = 0
        func isSpace(_ c: Unicode.Scalar) -> Bool { c == " " || c == "\n" || c == "\t" || c == "\r" || c == "\u{0C}" }
        func starts(_ prefix: String, at index: Int) -> Bool {
            let p = Array(prefix.unicodeScalars)
            guard index + p.count <= s.count else { return false }
            return zip(s[index..<(index + p.count)], p).allSatisfy { String($0).lowercased() == String($1).lowercased() }
        }
        func skip(past terminator: String) {
            while i < s.count, !starts(terminator, at: i) { i += 1 }
            i = min(s.count, i + terminator.unicodeScalars.count)
        }
        while i < s.count {
            guard s[i] == "<", i + 1 < s.count else { i += 1; continue }
            let next = s[i + 1]
            if starts("<!--", at: i) { skip(past: "-->"); continue }
            if next == "!" || next == "?" || next == "/" { skip(past: ">"); continue }
            guard next.properties.isAlphabetic else { i += 1; continue }
            i += 1
            var name = ""
            while i < s.count, !isSpace(s[i]), s[i] != ">", s[i] != "/" { name.unicodeScalars.append(s[i]); i += 1 }
            var attributes: [(String, String)] = []
            while i < s.count {
                while i < s.count, isSpace(s[i]) || s[i] == "/" { i += 1 }
                guard i < s.count, s[i] != ">" else { break }
                var attribute = ""
                // HTML5: an attribute name runs to whitespace, '/', '>' or '=' (a leading '=' belongs to it).
                repeat { attribute.unicodeScalars.append(s[i]); i += 1 } while i < s.count && !isSpace(s[i]) && s[i] != "/" && s[i] != ">" && s[i] != "="
                while i < s.count, isSpace(s[i]) { i += 1 }
                var value = ""
                if i < s.count, s[i] == "=" {
                    i += 1
                    while i < s.count, isSpace(s[i]) { i += 1 }
                    if i < s.count, s[i] == "\"" || s[i] == "'" {
                        let quote = s[i]
                        i += 1
                        while i < s.count, s[i] != quote { value.unicodeScalars.append(s[i]); i += 1 }
                        i += 1
                    } else {
                        while i < s.count, !isSpace(s[i]), s[i] != ">" { value.unicodeScalars.append(s[i]); i += 1 }
                    }
                }
                attributes.append((attribute.lowercased(), value))
            }
            i += 1
            let lowered = name.lowercased()
            tags.append(Tag(name: lowered, attributes: attributes))
            // Raw-text elements: their content is not markup.
            if ["script", "style", "textarea", "title"].contains(lowered) { skip(past: "</\(lowered)") }
        }
    }

    /// Tags or attributes whose name carries the marker: markup that only injected text could have made.
    func injected(marker: String) -> [String] {
        var found: [String] = []
        for tag in tags {
            if tag.name.contains(marker) { found.append("<\(tag.name)>") }
            for attribute in tag.attributes where attribute.name.contains(marker) { found.append("<\(tag.name) \(attribute.name)>") }
            if tag.name == "meta", tag.attributes.contains(where: { $0.name == "http-equiv" }) { found.append("<meta http-equiv>") }
        }
        return found
    }
}
