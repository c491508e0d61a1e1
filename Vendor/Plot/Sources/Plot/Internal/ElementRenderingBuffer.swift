/**
*  Plot
*  Copyright (c) John Sundell 2021
*  MIT license, see LICENSE file for details
*/

internal final class ElementRenderingBuffer {
    var containsChildElements = false

    private let element: AnyElement
    private let indentation: Indentation?
    private var body = ""
    private var attributes = [AnyAttribute]()

    init(element: AnyElement, indentation: Indentation?) {
        self.element = element
        self.indentation = indentation
    }

    /// Yixian patch: an element has a handful of attributes, so a linear search replaces the
    /// dictionary of their positions that every element allocated and hashed into.
    func add(_ attribute: AnyAttribute) {
        if let existingIndex = attributes.firstIndex(where: { $0.name == attribute.name }) {
            if attribute.replaceExisting {
                attributes[existingIndex].value = attribute.value
            } else if let newValue = attribute.nonEmptyValue {
                if let existingValue = attributes[existingIndex].nonEmptyValue {
                    attributes[existingIndex].value = existingValue + " " + newValue
                } else {
                    attributes[existingIndex].value = newValue
                }
            }
        } else {
            attributes.append(attribute)
        }
    }

    func add(_ text: String, isPlainText: Bool) {
        if !isPlainText, indentation != nil {
            body.append("\n")
        }

        body.append(text)
    }

    /// Yixian patch: one string grown in place (capacity reserved for the body) instead of a chain
    /// of interpolations and concatenations, each of which copied the element's whole body.
    func flush() -> String {
        guard !element.name.isEmpty else { return body }

        let whitespace = indentation?.string ?? ""
        let padding = element.paddingCharacter.map(String.init) ?? ""
        var out = ""
        out.reserveCapacity(body.utf8.count + 2 * element.name.utf8.count + whitespace.utf8.count * 2 + 64)
        out += whitespace
        out += "<"
        out += padding
        out += element.name

        for attribute in attributes {
            let string = attribute.render()

            if !string.isEmpty {
                out += " "
                out += string
            }
        }

        switch element.closingMode {
        case .standard,
             .selfClosing where containsChildElements:
            out += padding
            out += ">"
            out += body

            if indentation != nil && containsChildElements {
                out += "\n"
                out += whitespace
            }

            out += "</"
            out += element.name
            out += ">"
        case .neverClosed:
            out += padding
            out += ">"
            out += body
        case .selfClosing:
            out += "/"
            out += padding
            out += ">"
        }
        return out
    }
}
