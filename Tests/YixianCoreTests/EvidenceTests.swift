import Foundation
import Testing
@testable import YixianCore

struct EvidenceSniffTests {
    @Test func recognisesTheThreeKindsByContent() {
        // setup
        let jpeg = Data(EvidenceFixture.cameraJPEG())
        let png = Data(EvidenceFixture.pngCore().header + EvidenceFixture.pngCore().body)
        let pdf = Data(EvidenceFixture.pdf())
        // act / check
        #expect(EvidenceKind.sniff(jpeg) == .jpeg)
        #expect(EvidenceKind.sniff(png) == .png)
        #expect(EvidenceKind.sniff(pdf) == .pdf)
    }

    @Test func pngNamedJPGIsSniffedAndSanitizedAsPNG() throws {
        // setup: the upload claims `宿舍走访.jpg`; only the bytes are looked at
        let upload = (name: "宿舍走访.jpg", bytes: Data(EvidenceFixture.pngWithPayload()))
        // act
        let sniffed = EvidenceKind.sniff(upload.bytes)
        let stored = try EvidenceSanitizer().sanitize(upload.bytes)
        // check
        #expect(sniffed == .png)
        #expect(stored.kind == .png)
        #expect(stored.kind.fileExtension != (upload.name as NSString).pathExtension)
        #expect(!stored.bytes.evidenceHas(text: "<script>"))
    }

    @Test(arguments: [
        "<!DOCTYPE html><html><script>alert(1)</script></html>",
        "<?xml version=\"1.0\"?><svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"/>",
        "<script>alert(1)</script>",
        "GIF89a\u{01}\u{00}\u{01}\u{00}",
        "PK\u{03}\u{04} a zip or docx",
        "%PDF-x.y not a version",
    ])
    func refusesEverythingElse(text: String) {
        // setup
        let data = Data(text.utf8)
        // act / check
        #expect(EvidenceKind.sniff(data) == nil)
        #expect(throws: EvidenceError.unsupportedType) { try EvidenceSanitizer().sanitize(data) }
    }

    @Test func randomJunkIsRefused() {
        // setup: seeded junk, so a failure can be replayed
        var generator = EvidenceTestRandom(seed: 2025)
        for length in [1, 3, 16, 512, 40_000] {
            let junk = Data((0..<length).map { _ in generator.byte() })
            // act / check: junk never passes; if its first bytes happen to look like a header it still fails as malformed
            #expect(throws: EvidenceError.self) { try EvidenceSanitizer().sanitize(junk) }
        }
    }
}

struct EvidenceJPEGTests {
    @Test func removesEXIFWithGPSAndKeepsTheCaptureTime() throws {
        // setup
        let photo = Data(EvidenceFixture.cameraJPEG(width: 640, height: 480))
        #expect(photo.evidenceHas(bytes: EvidenceFixture.gpsLatitude))
        // act
        let stored = try EvidenceSanitizer().sanitize(photo)
        // check: GPS, EXIF, ICC and comment are gone; the image parts are byte for byte the same
        #expect(!stored.bytes.evidenceHas(bytes: EvidenceFixture.gpsLatitude))
        #expect(!stored.bytes.evidenceHas(text: "Exif"))
        #expect(!stored.bytes.evidenceHas(text: "ICC_PROFILE"))
        #expect(!stored.bytes.evidenceHas(text: "32.06N"))
        #expect(stored.bytes == Data([0xFF, 0xD8] + EvidenceFixture.jfif + EvidenceFixture.jpegCore(width: 640, height: 480)))
        #expect(stored.captureTime == EvidenceCaptureTime(day: LocalDate(year: 2025, month: 9, day: 3)!, hour: 14, minute: 5, second: 30, utcOffsetSeconds: 8 * 3600))
        #expect(stored.captureTime?.instant() == ISO8601DateFormatter().date(from: "2025-09-03T06:05:30Z"))
        #expect(stored.pixelWidth == 640 && stored.pixelHeight == 480)
        #expect(stored.sha256 == EvidenceSHA256.hex(stored.bytes))
    }

    @Test func readsBigEndianEXIFWithoutAnOffset() throws {
        // setup: a camera that writes Motorola byte order and no OffsetTimeOriginal
        let photo = Data(EvidenceFixture.cameraJPEG(exif: EvidenceFixture.exifTIFF(dateTime: "2024:12:31 23:59:59", offset: nil, littleEndian: false)))
        // act
        let stored = try EvidenceSanitizer().sanitize(photo)
        // check: the wall clock is read in China Standard Time unless told otherwise
        let time = try #require(stored.captureTime)
        #expect(time.utcOffsetSeconds == nil)
        #expect(time.instant() == ISO8601DateFormatter().date(from: "2024-12-31T15:59:59Z"))
        #expect(time.instant(assumedUTCOffsetSeconds: 0) == ISO8601DateFormatter().date(from: "2024-12-31T23:59:59Z"))
    }

    @Test func blankOrBrokenEXIFMeansNoCaptureTimeButTheImageIsKept() throws {
        // setup
        let blank = Data(EvidenceFixture.cameraJPEG(exif: EvidenceFixture.exifTIFF(dateTime: "0000:00:00 00:00:00")))
        let broken = Data(EvidenceFixture.cameraJPEG(exif: Array(EvidenceFixture.exifTIFF().prefix(20))))
        // act
        let fromBlank = try EvidenceSanitizer().sanitize(blank)
        let fromBroken = try EvidenceSanitizer().sanitize(broken)
        // check
        #expect(fromBlank.captureTime == nil && fromBroken.captureTime == nil)
        #expect(fromBlank.bytes == fromBroken.bytes)
    }

    @Test func dropsScriptsInCommentsAndAfterTheEndMarker() throws {
        // setup: a polyglot with a script in a COM segment and HTML appended after EOI
        let polyglot = Data([0xFF, 0xD8] + EvidenceFixture.segment(0xFE, Array("<script>alert(1)</script>".utf8))
            + EvidenceFixture.jpegCore() + Array("<html><script>alert(2)</script></html>".utf8))
        // act
        let stored = try EvidenceSanitizer().sanitize(polyglot)
        // check
        #expect(!stored.bytes.evidenceHas(text: "<script"))
        #expect(!stored.bytes.evidenceHas(text: "<html"))
        #expect(stored.bytes.suffix(2) == Data([0xFF, 0xD9]))
    }

    @Test func keepsOnlyABareJFIFHeader() throws {
        // setup: an APP0 with a 1×1 thumbnail whose "pixels" are a payload
        let app0 = EvidenceFixture.segment(0xE0, Array("JFIF\0".utf8) + [1, 1, 0, 0, 1, 0, 1, 1, 1] + Array("<svg>".utf8))
        let photo = Data([0xFF, 0xD8] + app0 + EvidenceFixture.jpegCore())
        // act
        let stored = try EvidenceSanitizer().sanitize(photo)
        // check
        #expect(!stored.bytes.evidenceHas(text: "<svg>"))
        #expect(stored.bytes.evidenceHas(text: "JFIF"))
    }

    @Test func sanitizingTwiceChangesNothing() throws {
        // setup
        let first = try EvidenceSanitizer().sanitize(Data(EvidenceFixture.cameraJPEG()))
        // act
        let second = try EvidenceSanitizer().sanitize(first.bytes)
        // check
        #expect(second.bytes == first.bytes)
        #expect(second.sha256 == first.sha256)
    }

    @Test func refusesMalformedStructure() {
        // setup
        let core = EvidenceFixture.jpegCore()
        let truncated = Data([0xFF, 0xD8] + core.dropLast(3))
        let scanBeforeFrame = Data([0xFF, 0xD8] + EvidenceFixture.scanHeader + EvidenceFixture.scanData + [0xFF, 0xD9])
        let overlongSegment = Data([0xFF, 0xD8, 0xFF, 0xE1, 0x7F, 0xFF, 0x00])
        let noImage = Data([0xFF, 0xD8] + EvidenceFixture.jfif + [0xFF, 0xD9])
        // act / check
        for bad in [truncated, scanBeforeFrame, overlongSegment, noImage] {
            #expect(throws: EvidenceError.self) { try EvidenceSanitizer().sanitize(bad) }
            #expect((try? EvidenceSanitizer().sanitize(bad)) == nil)
            do {
                _ = try EvidenceSanitizer().sanitize(bad)
            } catch {
                #expect(error.code == .malformed)
                #expect(error.message.zh.contains("JPEG") && error.message.en.contains("JPEG"))
            }
        }
    }

    @Test func refusesImagesBeyondTheDimensionLimit() {
        // setup
        let huge = Data([0xFF, 0xD8] + EvidenceFixture.jpegCore(width: 20_000, height: 100))
        // act / check
        #expect {
            try EvidenceSanitizer().sanitize(huge)
        } throws: { error in
            (error as? EvidenceError)?.code == .dimensionsTooLarge
        }
    }

    @Test func mutatedFilesAreRefusedOrComeOutStable() {
        // setup: flip bytes of a valid photo; the sanitizer must never crash, and what it accepts must be stable
        var generator = EvidenceTestRandom(seed: 7)
        let original = EvidenceFixture.cameraJPEG()
        var accepted = 0, refused = 0
        for _ in 0..<300 {
            var bytes = original
            for _ in 0..<3 { bytes[Int(generator.next() % UInt64(bytes.count))] = generator.byte() }
            // act
            if let stored = try? EvidenceSanitizer().sanitize(Data(bytes)) {
                accepted += 1
                // check
                #expect((try? EvidenceSanitizer().sanitize(stored.bytes))?.bytes == stored.bytes)
                #expect(!stored.bytes.evidenceHas(bytes: EvidenceFixture.gpsLatitude))
            } else {
                refused += 1
            }
        }
        #expect(accepted + refused == 300)
    }
}

struct EvidencePNGTests {
    @Test func dropsTextTimeEXIFAndTrailingScriptWithValidCRCs() throws {
        // setup
        let upload = Data(EvidenceFixture.pngWithPayload())
        #expect(upload.evidenceHas(text: "<script>"))
        // act
        let stored = try EvidenceSanitizer().sanitize(upload)
        // check
        let chunks = EvidenceFixture.pngChunks([UInt8](stored.bytes))
        #expect(chunks.types == ["IHDR", "gAMA", "IDAT", "IEND"])
        #expect(chunks.crcsValid)
        #expect(chunks.trailing == 0)
        #expect(!stored.bytes.evidenceHas(text: "<script"))
        #expect(!stored.bytes.evidenceHas(bytes: EvidenceFixture.gpsLatitude))
        #expect(stored.pixelWidth == 2 && stored.pixelHeight == 1)
        #expect(stored.captureTime?.day == LocalDate(year: 2025, month: 9, day: 3))
        #expect(stored.sha256 == EvidenceSHA256.hex(stored.bytes))
    }

    @Test func refusesABadCRC() {
        // setup: one bit flipped inside IDAT
        let core = EvidenceFixture.pngCore()
        var body = core.body
        let idat = try! #require(body.firstRange(of: Array("IDAT".utf8)))
        body[idat.upperBound + 1] ^= 0x01
        // act / check
        #expect {
            try EvidenceSanitizer().sanitize(Data(core.header + body))
        } throws: { error in
            let error = error as? EvidenceError
            return error?.code == .malformed && error?.message.en.contains("CRC") == true
        }
    }

    @Test func refusesUnknownCriticalChunksAndMissingParts() {
        // setup
        let core = EvidenceFixture.pngCore()
        let unknownCritical = core.header + EvidenceFixture.chunk("ZZZZ", [1]) + core.body
        let noIEND = core.header + EvidenceFixture.chunk("IDAT", EvidenceFixture.zlibStored([0, 1, 2]))
        let noIDAT = core.header + EvidenceFixture.chunk("IEND", [])
        let paletteWithoutPLTE = EvidenceKind.pngSignature
            + EvidenceFixture.chunk("IHDR", EvidenceFixture.bigEndian(1) + EvidenceFixture.bigEndian(1) + [8, 3, 0, 0, 0]) + core.body
        let tooWide = EvidenceKind.pngSignature + EvidenceFixture.ihdr(width: 12_001, height: 1) + core.body
        // act / check
        for bad in [unknownCritical, noIEND, noIDAT, paletteWithoutPLTE] {
            #expect(throws: EvidenceError.self) { try EvidenceSanitizer().sanitize(Data(bad)) }
        }
        #expect { try EvidenceSanitizer().sanitize(Data(tooWide)) } throws: { ($0 as? EvidenceError)?.code == .dimensionsTooLarge }
    }
}

struct EvidencePDFTests {
    @Test func acceptsAPlainPDFAndDropsWhatFollowsEOF() throws {
        // setup
        let clean = EvidenceFixture.pdf()
        let appended = EvidenceFixture.pdf(tail: "<html><script>alert(1)</script></html>")
        // act
        let stored = try EvidenceSanitizer().sanitize(Data(clean))
        let trimmed = try EvidenceSanitizer().sanitize(Data(appended))
        // check
        #expect(stored.kind == .pdf)
        #expect(stored.bytes == Data(clean))
        #expect(trimmed.bytes == Data(clean))
        #expect(stored.pixelWidth == nil && stored.captureTime == nil)
    }

    @Test(arguments: [
        "/OpenAction << /S /JavaScript /JS (app.alert(1)) >>",
        "/OpenAction << /S /J#61vaScript /J#53 (app.alert(1)) >>",
        "/OpenAction << /S /Launch /F (cmd.exe) >>",
        "/Names << /EmbeddedFiles << /Names [(a.exe) << /Type /EmbeddedFile >>] >> >>",
        "/AcroForm << /XFA 9 0 R >>",
        // Issue 7 finding 6: links, form submission and actions on opening were accepted.
        "/OpenAction 3 0 R",
        "/AA << /O << /S /GoTo /D [0 /Fit] >> >>",
        "/Annots [<< /Subtype /Link /A << /S /URI /URI (https://evil.example/) >> >>]",
        "/AcroForm << /Fields [<< /A << /S /SubmitForm /F (https://evil.example/) >> >>] >>",
        "/OpenAction << /S /GoToR /F (other.pdf) >>",
    ])
    func refusesActiveContent(extra: String) {
        // setup
        let pdf = Data(EvidenceFixture.pdf(catalogExtra: extra))
        // act / check
        #expect {
            try EvidenceSanitizer().sanitize(pdf)
        } throws: { error in
            guard let error = error as? EvidenceError, error.code == .activeContent else { return false }
            return error.message.zh.contains("PDF") && error.message.en.contains("refused")
        }
    }

    @Test func refusesJavaScriptHiddenInACompressedObjectStream() throws {
        // setup
        let hidden = Data(EvidenceFixture.pdfWithObjectStream(hidden: "/JavaScript /JS (app.alert(1))"))
        let harmless = Data(EvidenceFixture.pdfWithObjectStream(hidden: "/GoTo /D [0 /Fit]"))
        // act / check
        #expect { try EvidenceSanitizer().sanitize(hidden) } throws: { error in
            (error as? EvidenceError).map { $0.code == .activeContent && $0.message.en.contains("/JavaScript") } ?? false
        }
        #expect(try EvidenceSanitizer().sanitize(harmless).kind == .pdf)
    }

    @Test func refusesObjectStreamsItCannotRead() {
        // setup: a filter the inspector cannot decode, and Flate data that is not deflate
        let lzw = String(decoding: EvidenceFixture.pdfWithObjectStream(hidden: "/GoTo"), as: UTF8.self)
            .replacingOccurrences(of: "/FlateDecode", with: "/LZWDecode")
        let garbage = Array("%PDF-1.5\n4 0 obj\n<< /Type /ObjStm /Filter /FlateDecode >>\nstream\n\u{78}\u{01}\u{FF}\u{FF}\nendstream\nendobj\n%%EOF\n".utf8)
        // act / check
        for bad in [Array(lzw.utf8), garbage] {
            #expect { try EvidenceSanitizer().sanitize(Data(bad)) } throws: { ($0 as? EvidenceError)?.code == .uninspectable }
        }
    }

    @Test func imageDataThatSpellsANameByChanceIsNotActiveContent() throws {
        // setup: a scanned page whose JPEG bytes happen to contain "/JS " and "/Launch\n"
        let scan: [UInt8] = [0xFF, 0xD8, 0xFF, 0xE0] + Array("x/JS y/Launch\nz".utf8) + [0xFF, 0xD9]
        let pdf = Array("%PDF-1.4\n5 0 obj\n<< /Type /XObject /Subtype /Image /Filter /DCTDecode /Length \(scan.count) >>\nstream\n".utf8)
            + scan + Array("\nendstream\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n".utf8)
        // act
        let stored = try EvidenceSanitizer().sanitize(Data(pdf))
        // check
        #expect(stored.bytes == Data(pdf))
    }

    @Test func refusesAStreamWithoutItsEnd() {
        // setup
        let pdf = Data(Array("%PDF-1.4\n5 0 obj\n<< /Length 4 >>\nstream\nabcd\nendobj\n%%EOF\n".utf8))
        // act / check
        #expect { try EvidenceSanitizer().sanitize(pdf) } throws: { ($0 as? EvidenceError)?.code == .malformed }
    }

    @Test func refusesMarkupAndMissingEOF() {
        // setup
        let markup = Data(EvidenceFixture.pdf(catalogExtra: "/Title (<SCRIPT>alert(1)</SCRIPT>) "))
        let noEOF = Data(Array("%PDF-1.7\n1 0 obj\n<< >>\nendobj\n".utf8))
        // act / check
        #expect { try EvidenceSanitizer().sanitize(markup) } throws: { ($0 as? EvidenceError)?.code == .activeContent }
        #expect { try EvidenceSanitizer().sanitize(noEOF) } throws: { ($0 as? EvidenceError)?.code == .malformed }
    }
}

struct EvidenceLimitTests {
    @Test func fiftyMegabytesAreRefusedWithoutBeingRead() throws {
        // setup: a real JPEG header, then 50 MB
        let upload = Data(EvidenceFixture.cameraJPEG()) + Data(count: 50 * 1_048_576)
        // act
        let clock = ContinuousClock()
        var caught: EvidenceError?
        let elapsed = clock.measure {
            do { _ = try EvidenceSanitizer().sanitize(upload) } catch let error as EvidenceError { caught = error } catch {}
        }
        // check
        #expect(caught?.code == .tooLarge)
        #expect(caught?.message.zh.contains("10.0 MB") == true)
        #expect(caught?.message.en.contains("10.0 MB") == true)
        #expect(elapsed < .milliseconds(50))
    }

    @Test func aPhotoJustUnderTheLimitIsSanitizedInOnePass() throws {
        // setup: a 9.5 MB photo whose scan data is mostly bytes with FF stuffing, as a camera writes it
        var generator = EvidenceTestRandom(seed: 99)
        var scan: [UInt8] = []
        scan.reserveCapacity(10_000_000)
        while scan.count < 9_500_000 {
            let byte = generator.byte()
            scan += byte == 0xFF ? [0xFF, 0x00] : [byte]
        }
        let photo = Data(EvidenceFixture.cameraJPEG().dropLast(2) + scan + [0xFF, 0xD9])
        // act
        let clock = ContinuousClock()
        var stored: SanitizedEvidence?
        let elapsed = try clock.measure { stored = try EvidenceSanitizer().sanitize(photo) }
        print("evidence: sanitized and hashed \(photo.count) bytes in \(elapsed)")
        // check: all image data survives, the metadata does not
        let result = try #require(stored)
        #expect(result.bytes.count == photo.count - (EvidenceFixture.cameraJPEG().count - 2 - EvidenceFixture.jfif.count - EvidenceFixture.jpegCore().count))
        #expect(!result.bytes.evidenceHas(bytes: EvidenceFixture.gpsLatitude))
        // A loose bound for debug builds on a shared machine; release takes about a tenth of a second.
        #expect(elapsed < .seconds(60))
    }

    @Test func limitsAreConfigurable() {
        // setup
        let photo = Data(EvidenceFixture.cameraJPEG(width: 800, height: 600))
        let strict = EvidenceSanitizer(limits: EvidenceLimits(maxBytes: 100))
        let small = EvidenceSanitizer(limits: EvidenceLimits(maxPixelWidth: 640, maxPixelHeight: 640))
        // act / check
        #expect { try strict.sanitize(photo) } throws: { ($0 as? EvidenceError)?.code == .tooLarge }
        #expect { try small.sanitize(photo) } throws: { ($0 as? EvidenceError)?.code == .dimensionsTooLarge }
        #expect(throws: EvidenceError.empty) { try EvidenceSanitizer().sanitize(Data()) }
    }

    @Test func attachmentCountIsLimited() {
        // setup
        let limits = EvidenceLimits(maxFilesPerRecord: 9)
        // act / check
        #expect(throws: Never.self) { try limits.checkCount(9) }
        #expect { try limits.checkCount(10) } throws: { ($0 as? EvidenceError)?.code == .tooManyFiles }
    }

    @Test func storedBytesAreVerifiedAgainstTheirHash() throws {
        // setup
        let stored = try EvidenceSanitizer().sanitize(Data(EvidenceFixture.cameraJPEG()))
        var tampered = stored.bytes
        tampered[tampered.startIndex + 30] ^= 0xFF
        // act / check
        #expect(EvidenceSanitizer.verify(stored.bytes, sha256: stored.sha256))
        #expect(EvidenceSanitizer.verify(stored.bytes, sha256: stored.sha256.uppercased()))
        #expect(!EvidenceSanitizer.verify(tampered, sha256: stored.sha256))
    }
}

/// SplitMix64: a seeded generator so that junk and mutations are the same on every run.
struct EvidenceTestRandom {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func byte() -> UInt8 { UInt8(truncatingIfNeeded: next()) }
}
