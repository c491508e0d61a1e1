import Testing
@testable import YixianCore

@Suite("Hot topics")
struct HotTopicsTests {
    @Test("recurring phrases across cases, each case counted once, the longest form kept")
    func phrases() {
        let texts = ["宿舍热水供应不稳定", "热水供应时断时续，热水供应太差", "希望食堂延长营业时间", "食堂排队太久", "图书馆座位不够"]
        let found = HotTopics.phrases(in: texts)
        #expect(found.first == HotTopics.Phrase(text: "热水供应", cases: 2), "\(found)")
        #expect(found.contains(HotTopics.Phrase(text: "食堂", cases: 2)))
        #expect(!found.contains { $0.text == "热水" || $0.text == "供应" }, "contained in an equally frequent longer phrase")
        #expect(!found.contains { $0.text.contains("希望") }, "function words are not topics")
        #expect(!found.contains { $0.text == "图书" }, "seen in one case only")
    }

    @Test("markup and Latin text are not phrases")
    func onlyChinese() {
        #expect(HotTopics.phrases(in: ["<script>alert</script>", "<script>alert</script>"]).isEmpty)
        #expect(HotTopics.chineseRuns("WiFi信号差，5G也慢") == ["信号差", "也慢"])
    }
}
