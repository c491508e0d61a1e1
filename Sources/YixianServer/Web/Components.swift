import Plot
import Vapor
import YixianCore

enum Components {
    /// GOV.UK-style summary at the top of a form, linking to each field at fault.
    static func errorSummary(_ ctx: PageContext, _ problems: [AppError.FieldProblem]) -> Node<HTML.BodyContext> {
        guard !problems.isEmpty else { return .empty }
        return .div(.class("error-summary"), .attribute(named: "role", value: "alert"),
                    .h2(.text(ctx.t("请修正以下问题", "There is a problem"))),
                    .ul(.forEach(problems) { .li(.a(.href("#\($0.field)"), .text(ctx.t($0.message)))) }))
    }

    static func pager(_ ctx: PageContext, page: Int, per: Int, total: Int, link: (Int) -> String) -> Node<HTML.BodyContext> {
        let pages = max(1, (total + per - 1) / per)
        if page > pages {
            return .div(.class("pager"), .span(.text(ctx.t("共 \(total) 条，没有第 \(page) 页。", "\(total) items; there is no page \(page)."))),
                        .a(.href(link(pages)), .text(ctx.t("前往最后一页", "Go to the last page"))))
        }
        return .div(.class("pager"),
                    .span(.text(ctx.t("共 \(total) 条，第 \(page)/\(pages) 页", "\(total) items, page \(page) of \(pages)"))),
                    .if(page > 1, .a(.href(link(page - 1)), .attribute(named: "rel", value: "prev"), .text(ctx.t("上一页", "Previous")))),
                    .if(page < pages, .a(.href(link(page + 1)), .attribute(named: "rel", value: "next"), .text(ctx.t("下一页", "Next")))))
    }

    /// `layout`: `stack` turns each row into a card on a phone (lists read top to bottom); `matrix`
    /// keeps the grid, scrolling sideways with its first column and headers readable.
    /// `exports`: the formats linked above the table for downloading its rows (see `TableExport`);
    /// fewer, or none, where the page's own 导出 buttons already offer them.
    static func table(_ ctx: PageContext, headers: [String], rows: [[Node<HTML.TableRowContext>]], empty: Node<HTML.BodyContext>,
                      layout: String? = nil, exports: [String] = TableExport.formats) -> Node<HTML.BodyContext> {
        let index = exports.isEmpty ? nil : ctx.tables?.next(header: headers, rows: rows)
        guard !rows.isEmpty else { return .div(.class("panel empty"), empty) }
        return .group(
            .unwrap(index) { exportLinks(ctx, index: $0, formats: exports) },
            .div(.class("table-wrap"),
                 .table(.class(layout ?? ""), .thead(.tr(.forEach(headers) { .th(.text($0)) })),
                        .tbody(.forEach(rows) { cells in .tr(.forEach(cells) { $0 }) }))))
    }

    /// 导出 Excel / 导出 CSV for table `index` of a GET page; on an export, also the mark that the
    /// table was drawn.
    private static func exportLinks(_ ctx: PageContext, index: Int, formats: [String]) -> Node<HTML.BodyContext> {
        guard let base = ctx.exportBase, let tables = ctx.tables else { return .empty }
        return .div(.class("table-export no-print"),
                    .forEach(formats) { format in
                        .a(.href(TableExport.link(base, format: format, index: index)),
                           .text(format == "xlsx" ? ctx.t("导出 Excel", "Export .xlsx") : ctx.t("导出 CSV", "Export .csv")))
                    },
                    .if(tables.wanted?.index == index, .component(TableExport.DrawnMark(tables: tables, index: index))))
    }

    /// Plot writes `<option>` self-closed with attributes only; this writes it whole, escaped.
    static func option(value: String, text: String, selected: Bool) -> Node<HTML.SelectContext> {
        .raw("<option value=\"\(escape(value))\"\(selected ? " selected" : "")>\(escape(text))</option>")
    }

    /// The confirmation after a form succeeded and redirected back; nothing when there is none.
    static func notice(_ text: String?) -> Node<HTML.BodyContext> {
        guard let text else { return .empty }
        return .div(.class("panel success"), .attribute(named: "role", value: "status"), .p(.text(text)))
    }

    /// A labelled select field with its problem beside it, the chosen value selected.
    static func selectField(_ ctx: PageContext, name: String, label: String, options: [(String, String)], selected: String?,
                            problems: [AppError.FieldProblem]) -> Node<HTML.FormContext> {
        let problem = problems.first { $0.field == name }
        return .div(.class(problem == nil ? "field" : "field has-error"),
                    .label(.attribute(named: "for", value: name), .text(label)),
                    .if(problem != nil, .span(.class("error"), .text(problem.map { ctx.t($0.message) } ?? ""))),
                    .select(.id(name), .attribute(named: "name", value: name),
                            .forEach(options) { option(value: $0.0, text: $0.1, selected: $0.0 == selected) }))
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    static func cell(_ text: String) -> Node<HTML.TableRowContext> { .td(.text(text)) }
    static func cell(_ text: String, href: String) -> Node<HTML.TableRowContext> { .td(.a(.href(href), .text(text))) }

    static func tag(_ text: String, _ colour: String) -> Node<HTML.BodyContext> { .span(.class("tag \(colour)"), .text(text)) }

    static func activeTag(_ ctx: PageContext, _ active: Bool) -> Node<HTML.TableRowContext> {
        .td(.span(.class(active ? "tag green" : "tag grey"), .text(active ? ctx.t("在用", "Active") : ctx.t("已停用", "Inactive"))))
    }

    static func card(_ number: String, _ label: String, href: String? = nil) -> Node<HTML.BodyContext> {
        .div(.class("card"), .div(.class("num"), .text(number)),
             .div(.class("label"), href.map { .a(.href($0), .text(label)) } ?? .text(label)))
    }

    static func field(_ ctx: PageContext, name: String, label: String, value: String = "", type: HTMLInputType = .text,
                      hint: String? = nil, problems: [AppError.FieldProblem] = [], autocomplete: String? = nil) -> Node<HTML.FormContext> {
        let problem = problems.first { $0.field == name }
        return .div(.class(problem == nil ? "field" : "field has-error"),
                    .label(.for(name), .text(label)),
                    .unwrap(hint) { .span(.class("hint"), .text($0)) },
                    .unwrap(problem) { .span(.class("field-error"), .text(ctx.t($0.message))) },
                    .input(.type(type), .id(name), .name(name), .value(value),
                           .unwrap(autocomplete) { .attribute(named: "autocomplete", value: $0) }))
    }

    /// A filter toolbar whose values live in the URL: shareable and back-button safe.
    /// Plot's input has no conditional `checked`; the markup is built with every value escaped.
    static func checkbox(name: String, value: String, label: String, checked: Bool) -> Node<HTML.FormContext> {
        .raw("<div class=\"field\"><label class=\"check\"><input type=\"checkbox\" name=\"\(escape(name))\" value=\"\(escape(value))\"\(checked ? " checked" : "")> \(escape(label))</label></div>")
    }

    static func filterBar(_ ctx: PageContext, action: String, query: String?, selects: [(name: String, label: String, options: [(String, String)], selected: String?)],
                          exportKind: String? = nil) -> Node<HTML.BodyContext> {
        .form(.class("toolbar"), .method(.get), .action(action),
              .label(.text(ctx.t("搜索", "Search")), .input(.type(.search), .name("q"), .value(query ?? ""), .placeholder(ctx.t("姓名、编号…", "Name, number…")))),
              .forEach(selects) { select in
                  .label(.text(select.label),
                         .select(.attribute(named: "name", value: select.name),
                                 option(value: "", text: ctx.t("全部", "All"), selected: select.selected == nil),
                                 .forEach(select.options) { option(value: $0.0, text: $0.1, selected: $0.0 == select.selected) }))
              },
              .button(.type(.submit), .text(ctx.t("筛选", "Filter"))),
              .unwrap(exportKind) { kind in
                  .group(.a(.class("button secondary"), .href(SiteRoute.export(kind).path(query: ["format": "xlsx"])), .text(ctx.t("导出 Excel", "Export .xlsx"))),
                         .a(.class("button secondary"), .href(SiteRoute.export(kind).path(query: ["format": "csv"])), .text(ctx.t("导出 CSV", "Export .csv"))))
              })
    }
}
