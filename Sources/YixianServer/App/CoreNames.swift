import YixianCore

// Foundation has its own `Unit` (measurement) and Plot its own `Language`; inside the server
// these names always mean the domain's.
typealias Unit = YixianCore.Unit
typealias Language = YixianCore.Language
