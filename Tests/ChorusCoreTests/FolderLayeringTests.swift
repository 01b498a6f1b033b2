import Foundation
import Testing

/// The core's folders are layers (docs/architecture.md): Support and Vocabulary at the bottom,
/// then Defence, Keyring, Decisions and Events, with Membership, the node, on top. A folder may
/// use the types of the folders below it, never of one above, so each part can be read and
/// changed alone. Read from the sources: a type defined in one folder and named in another is a
/// dependency (comments do not count).
@Suite struct FolderLayeringTests {
    static let core = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Sources/ChorusCore")

    /// Each folder's Swift sources, comments removed.
    static func sources() throws -> [String: [String]] {
        var byFolder: [String: [String]] = [:]
        for folder in try FileManager.default.contentsOfDirectory(atPath: core.path).sorted() {
            let directory = core.appendingPathComponent(folder)
            for file in try FileManager.default.contentsOfDirectory(atPath: directory.path) where file.hasSuffix(".swift") {
                let text = try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)
                byFolder[folder, default: []].append(text.replacing(/\/\/[^\n]*/, with: "").replacing(/\/\*(?s:.)*?\*\//, with: ""))
            }
        }
        return byFolder
    }

    /// Folder -> the folders whose top-level types it names.
    static func dependencies() throws -> [String: Set<String>] {
        let sources = try sources()
        var home: [String: String] = [:]
        for (folder, texts) in sources {
            for text in texts {
                for match in text.matches(of: /(?m)^(?:public |package |internal |private |fileprivate |final )*(?:struct|enum|class|protocol|actor|typealias) (\w+)/) {
                    home[String(match.1)] = folder
                }
            }
        }
        var graph: [String: Set<String>] = [:]
        for (folder, texts) in sources {
            let words = Set(texts.flatMap { $0.matches(of: /\w+/).map { String($0.0) } })
            graph[folder] = Set(words.compactMap { home[$0] }.filter { $0 != folder })
        }
        return graph
    }

    /// A cycle in `graph` as a path that comes back to its start, or nil.
    static func cycle(in graph: [String: Set<String>]) -> [String]? {
        var finished: Set<String> = []
        func visit(_ folder: String, _ path: [String]) -> [String]? {
            if let start = path.firstIndex(of: folder) { return Array(path[start...]) + [folder] }
            guard !finished.contains(folder) else { return nil }
            for next in (graph[folder] ?? []).sorted() {
                if let found = visit(next, path + [folder]) { return found }
            }
            finished.insert(folder)
            return nil
        }
        for folder in graph.keys.sorted() {
            if let found = visit(folder, []) { return found }
        }
        return nil
    }

    @Test func noFolderUsesOneAboveIt() throws {
        let graph = try Self.dependencies()
        #expect(graph.count >= 7, "the core's folders were not found under \(Self.core.path)")
        let found = Self.cycle(in: graph)
        #expect(found == nil, "folders depend on each other in a circle: \(found?.joined(separator: " -> ") ?? "")")
    }

    @Test func theCheckFindsACircle() {
        #expect(Self.cycle(in: ["A": ["B"], "B": ["C"], "C": ["A"]]) == ["A", "B", "C", "A"])
        #expect(Self.cycle(in: ["A": ["B", "C"], "B": ["C"], "C": []]) == nil)
    }

    @Test func theBottomLayersUseNothingAbove() throws {
        let graph = try Self.dependencies()
        #expect(graph["Support"] == [], "\(graph["Support"] ?? [])")
        #expect(graph["Vocabulary"]?.isSubset(of: ["Support"]) == true, "\(graph["Vocabulary"] ?? [])")
        #expect(graph["Membership"]?.contains("Decisions") == true, "the node holds the decision engine")
    }
}
