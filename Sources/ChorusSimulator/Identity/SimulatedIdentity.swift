import ChorusWire

/// A node's identity as the simulator needs it: a signer and the certificate for its key.
public struct SimulatedIdentity: Sendable {
    public var signer: any MessageSigner
    public var certificate: Certificate

    public init(signer: any MessageSigner, certificate: Certificate) {
        self.signer = signer
        self.certificate = certificate
    }
}
