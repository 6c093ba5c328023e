// 被节点丢弃的已签名交易：用库里存的同一份字节重发（绝不重签）。提现与补 gas 共用这一处。
import WalletChain

extension ChainClient {
    /// 节点查不到这笔交易时重发原始字节并返回 true；查得到（在池中或已上链）返回 false。
    func rebroadcastIfDropped(_ attempt: TxAttempt) async throws -> Bool {
        guard try await transaction(try H256(hex: attempt.hash)) == nil else { return false }
        _ = try? await sendRawTransaction(attempt.raw)
        return true
    }
}
