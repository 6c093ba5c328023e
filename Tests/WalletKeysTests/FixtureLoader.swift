// 读取 Fixtures/ 下的官方测试向量（SwiftPM 资源，来源见 Fixtures/SOURCE.md）。
import Foundation

enum Fixture {
    static func data(_ name: String) throws -> Data {
        guard let dir = Bundle.module.url(forResource: "Fixtures", withExtension: nil) else {
            throw CocoaError(.fileNoSuchFile)
        }
        return try Data(contentsOf: dir.appendingPathComponent(name))
    }

    static func json(_ name: String) throws -> Any {
        try JSONSerialization.jsonObject(with: try data(name))
    }
}
