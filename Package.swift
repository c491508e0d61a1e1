// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "yixian",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "yixian", targets: ["yixian"]),
        .library(name: "YixianCore", targets: ["YixianCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/vapor/vapor.git", from: "4.122.3"),
        .package(url: "https://github.com/vapor/fluent.git", from: "4.13.0"),
        .package(url: "https://github.com/vapor/fluent-kit.git", from: "1.57.0"),
        .package(url: "https://github.com/vapor/fluent-sqlite-driver.git", from: "4.9.0"),
        .package(url: "https://github.com/vapor/fluent-postgres-driver.git", from: "2.14.0"),
        .package(url: "https://github.com/vapor/sql-kit.git", from: "3.36.0"),
        // Plot 0.14.0 with attribute values escaped: see Vendor/Plot/PATCHES.md.
        .package(path: "Vendor/Plot"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/weichsel/ZIPFoundation.git", from: "0.9.20"),
        .package(url: "https://github.com/CoreOffice/XMLCoder.git", from: "0.18.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
    ],
    targets: [
        // Pure domain: values and algorithms. No Vapor, no Fluent, no clock.
        .target(
            name: "YixianCore",
            dependencies: [
                .product(name: "Yams", package: "Yams"),
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
                .product(name: "XMLCoder", package: "XMLCoder"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .target(
            name: "YixianServer",
            dependencies: [
                "YixianCore",
                .product(name: "Vapor", package: "vapor"),
                .product(name: "Fluent", package: "fluent"),
                .product(name: "FluentSQLiteDriver", package: "fluent-sqlite-driver"),
                .product(name: "FluentPostgresDriver", package: "fluent-postgres-driver"),
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "Plot", package: "Plot"),
            ]
        ),
        .executableTarget(
            name: "yixian",
            dependencies: ["YixianServer", "YixianCore"]
        ),
        .testTarget(
            name: "YixianCoreTests",
            dependencies: ["YixianCore"]
        ),
        .testTarget(
            name: "YixianServerTests",
            dependencies: [
                "YixianServer",
                "YixianCore",
                .product(name: "VaporTesting", package: "vapor"),
            ],
            // Whole-page HTML the snapshot tests compare against, read by path.
            exclude: ["Snapshots"]
        ),
    ]
)
