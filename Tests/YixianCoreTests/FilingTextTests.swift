import Foundation
import Testing
@testable import YixianCore

@Suite("报送文书 text: headings, tables and prompts")
struct FilingTextTests {
    @Test("一、 lines are headings, | lines are tables (first row the header), the rest paragraphs; a | in a cell stays in its cell")
    func blocks() {
        let table = FilingText.table(header: ["干部", "联系"], rows: [["张伟", "计算机2301班|2302班"], ["李娜", "—"]])
        let body = "前言一段。\n一、基本情况\n\(table)\n表后一段。\n  \n二、不足\n无。"
        let blocks = FilingText.blocks(title: "标题", subtitle: "（副题）", body: body)
        #expect(blocks == [
            .title("标题"), .subtitle("（副题）"), .paragraph("前言一段。"), .heading("一、基本情况"),
            .table(header: ["干部", "联系"], rows: [["张伟", "计算机2301班｜2302班"], ["李娜", "—"]]),
            .paragraph("表后一段。"), .heading("二、不足"), .paragraph("无。"),
        ])
    }

    @Test("the filled share counts what lies outside 【…】 prompts; a prompt left makes the text unfinished")
    func prompts() {
        let draft = FilingDraft(title: "t", body: "一二三四五六七八\n【请填】")
        // 8 written characters of 12 non-blank ones.
        #expect(abs(draft.filledShare - 8.0 / 12.0) < 1e-9)
        #expect(FilingDraft.hasPrompt(draft.body))
        #expect(!FilingDraft.hasPrompt("只有左括号【没有右括号"))
        #expect(FilingDraft(title: "t", body: "").filledShare == 0)
    }
}
