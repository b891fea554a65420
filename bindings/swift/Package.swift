// swift-tools-version:5.9
// The Swift bindings of MedVault: the generated `MedVault` module over the `medvault_ffi`
// library built by Cargo. Build the library first (`cargo build --release -p medvault-ffi`
// from the repository root), or point MEDVAULT_LIB_DIR at a folder holding it; `run-tests.sh`
// does both and runs `swift test`.
import Foundation
import PackageDescription

let libraryDir = ProcessInfo.processInfo.environment["MEDVAULT_LIB_DIR"]
    ?? Context.packageDirectory + "/../../target/release"

let package = Package(
    name: "MedVault",
    platforms: [.macOS(.v12), .iOS(.v15)],
    products: [
        .library(name: "MedVault", targets: ["MedVault"]),
    ],
    dependencies: [
        // HMAC-SHA1 for the tests' own TOTP client on Linux (CryptoKit is Apple-only).
        .package(url: "https://github.com/apple/swift-crypto.git", "3.0.0"..<"5.0.0"),
    ],
    targets: [
        .systemLibrary(name: "MedVaultFFI", path: "Sources/MedVaultFFI"),
        .target(
            name: "MedVault",
            dependencies: ["MedVaultFFI"],
            path: "Sources/MedVault",
            linkerSettings: [
                .linkedLibrary("medvault_ffi"),
                .unsafeFlags(["-L", libraryDir]),
            ]
        ),
        .testTarget(
            name: "MedVaultTests",
            dependencies: [
                "MedVault",
                .product(
                    name: "Crypto", package: "swift-crypto",
                    condition: .when(platforms: [.linux])
                ),
            ],
            path: "Tests/MedVaultTests"
        ),
    ]
)
