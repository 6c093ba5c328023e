import Foundation

enum Fixture {
    static func url(_ name: String) -> URL {
        Bundle.module.url(forResource: "Fixtures/" + name, withExtension: nil)!
    }
    static func data(_ name: String) throws -> Data { try Data(contentsOf: url(name)) }
    static func json(_ name: String) throws -> Any { try JSONSerialization.jsonObject(with: data(name)) }

    static func tempDir(_ tag: String = "ks") -> URL {
        let u = FileManager.default.temporaryDirectory.appendingPathComponent("\(tag)-\(ProcessInfo.processInfo.globallyUniqueString)")
        try? FileManager.default.createDirectory(at: u, withIntermediateDirectories: true)
        return u
    }
}
