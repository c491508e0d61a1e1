import Foundation

/// A student's problem or suggestion (诉求) as far as response deadlines need it.
public struct StudentCase: Hashable, Sendable, Codable {
    public var id: String
    public var responsibleUnitCode: String
    /// A tier named by the policy's response rule, e.g. `ordinary` or `complex`.
    public var tier: String
    public var receivedOn: LocalDate
    public var firstRespondedOn: LocalDate?
    public var answeredOn: LocalDate?
    /// Days the clock stood still while the handler waited for the student.
    public var pauses: [DateRange]
    /// Approved 延期 days added to the answer deadline.
    public var extensionDays: Int
    /// Minutes from local midnight of `receivedOn` the case came in, when known: hours tiers count from it (§4.17).
    public var receivedMinute: Int? = nil

    public init(id: String, responsibleUnitCode: String, tier: String = "ordinary", receivedOn: LocalDate,
                firstRespondedOn: LocalDate? = nil, answeredOn: LocalDate? = nil, pauses: [DateRange] = [], extensionDays: Int = 0) {
        self.extensionDays = extensionDays
        self.id = id
        self.responsibleUnitCode = responsibleUnitCode
        self.tier = tier
        self.receivedOn = receivedOn
        self.firstRespondedOn = firstRespondedOn
        self.answeredOn = answeredOn
        self.pauses = pauses
    }
}
