import YixianServer

try await Entrypoint.main()
