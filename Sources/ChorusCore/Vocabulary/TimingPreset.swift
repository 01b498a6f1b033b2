/// Named timing presets, memberlist-style (`DefaultLANConfig` / `DefaultLocalConfig` / `DefaultWANConfig`).
public enum TimingPreset: String, Sendable, CaseIterable, Codable {
    case lan, local, wan
}
