import ConsoleKit
import Foundation
import Vapor
import YixianCore

/// `yixian policy check|explain|evaluate`: work on policy files without a server or database.
struct PolicyCommands: AsyncCommandGroup {
    var commands: [String: any AnyAsyncCommand] = [
        "check": PolicyCheckCommand(), "explain": PolicyExplainCommand(), "evaluate": PolicyEvaluateCommand(), "diff": PolicyDiffCommand(),
    ]
    var help: String { "Check, explain and evaluate policy files (docs/POLICY-FORMAT.md)" }

    static func read(_ path: String, _ context: CommandContext) throws -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            context.console.error("无法读取文件 cannot read \(path)")
            throw ExitCode(2)
        }
        guard let text = String(data: data, encoding: .utf8) else {
            context.console.error("\(path): 不是 UTF-8 文本 not UTF-8 text")
            throw ExitCode(2)
        }
        return text
    }

    /// The calendar of a scenario file; its own errors end the command.
    static func calendar(of path: String, _ context: CommandContext) throws -> AcademicCalendar {
        do {
            return try ScenarioLoader.load(try read(path, context), fileName: path).calendar
        } catch let error as YAMLLoadError {
            context.console.error(error.description)
            throw ExitCode(2)
        }
    }
}

struct PolicyCheckCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "file") var file: String
        @Option(name: "scenario", help: "check terms and deadlines against this scenario's calendar") var scenario: String?
    }
    var help: String { "Validate a policy file (against a scenario's calendar with --scenario); exit 0 when valid, 1 with line-numbered errors" }

    func run(using context: CommandContext, signature: Signature) async throws {
        let calendar = try signature.scenario.map { try PolicyCommands.calendar(of: $0, context) }
        let result = PolicyCLI.check(text: try PolicyCommands.read(signature.file, context), fileName: signature.file, calendar: calendar)
        context.console.output(result.output.consoleText(), newLine: false)
        if !result.ok { throw ExitCode(1) }
    }
}

struct PolicyExplainCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "file") var file: String
    }
    var help: String { "Print every rule of a policy in plain Chinese" }

    func run(using context: CommandContext, signature: Signature) async throws {
        do {
            let policy = try PolicyLoader.load(try PolicyCommands.read(signature.file, context), fileName: signature.file)
            context.console.output(PolicyCLI.explain(policy).consoleText(), newLine: false)
        } catch let error as YAMLLoadError {
            context.console.error(error.description)
            throw ExitCode(1)
        }
    }
}

struct PolicyEvaluateCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "policy") var policy: String?
        @Option(name: "scenario") var scenario: String?
        @Option(name: "as-of", help: "YYYY-MM-DD") var asOf: String?
        @Option(name: "format", help: "json (default), table or csv") var format: String?
    }
    var help: String { "Evaluate a policy over a scenario file as of a date" }

    func run(using context: CommandContext, signature: Signature) async throws {
        guard let policyPath = signature.policy, let scenarioPath = signature.scenario, let asOfText = signature.asOf else {
            context.console.error("需要 --policy、--scenario 和 --as-of。--policy, --scenario and --as-of are required.")
            throw ExitCode(2)
        }
        guard let asOf = LocalDate(asOfText) else {
            context.console.error("--as-of 不是有效日期（YYYY-MM-DD）: \(asOfText)")
            throw ExitCode(2)
        }
        guard let format = PolicyCLI.OutputFormat(rawValue: signature.format ?? "json") else {
            context.console.error("--format 只能是 json、table 或 csv")
            throw ExitCode(2)
        }
        let policyText = try PolicyCommands.read(policyPath, context)
        let scenarioText = try PolicyCommands.read(scenarioPath, context)
        // Load errors come back as the output; check first so that they set the exit code.
        let check = PolicyCLI.check(text: policyText, fileName: policyPath, calendar: try? ScenarioLoader.load(scenarioText, fileName: scenarioPath).calendar)
        guard check.ok else {
            context.console.error(check.output)
            throw ExitCode(1)
        }
        context.console.output(PolicyCLI.evaluate(policyText: policyText, scenarioText: scenarioText, asOf: asOf, format: format,
                                                  policyFileName: policyPath, scenarioFileName: scenarioPath).consoleText(), newLine: false)
    }
}

struct PolicyDiffCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "old") var old: String
        @Argument(name: "new") var new: String
        @Option(name: "scenario") var scenario: String?
        @Option(name: "as-of", help: "YYYY-MM-DD") var asOf: String?
    }
    var help: String { "Which verdicts a new policy version would change against the old one, over a scenario as of a date" }

    func run(using context: CommandContext, signature: Signature) async throws {
        guard let scenarioPath = signature.scenario, let asOfText = signature.asOf else {
            context.console.error("需要 --scenario 和 --as-of。--scenario and --as-of are required.")
            throw ExitCode(2)
        }
        guard let asOf = LocalDate(asOfText) else {
            context.console.error("--as-of 不是有效日期（YYYY-MM-DD）: \(asOfText)")
            throw ExitCode(2)
        }
        let result = PolicyCLI.diff(oldText: try PolicyCommands.read(signature.old, context), newText: try PolicyCommands.read(signature.new, context),
                                    scenarioText: try PolicyCommands.read(scenarioPath, context), asOf: asOf,
                                    oldFileName: signature.old, newFileName: signature.new, scenarioFileName: scenarioPath)
        guard result.ok else {
            context.console.error(result.output)
            throw ExitCode(1)
        }
        context.console.output(result.output.consoleText(), newLine: false)
    }
}
