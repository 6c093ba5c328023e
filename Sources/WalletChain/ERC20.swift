import WalletCrypto

/// ERC-20（EIP-20）调用数据的编码与读取：归集发代币、对账查余额用。
public enum ERC20 {
    /// transfer(address,uint256) 的调用数据（选择器 0xa9059cbb）。
    public static func transferData(to: ChainAddress, amount: UInt256) -> [UInt8] {
        [0xa9, 0x05, 0x9c, 0xbb] + [UInt8](repeating: 0, count: 12) + to.bytes + amount.bigEndianBytes
    }

    /// balanceOf(address)（选择器 0x70a08231）。返回值必须恰好 32 字节，否则视为节点/合约异常。
    public static func balanceOf(_ client: ChainClient, token: ChainAddress, owner: ChainAddress,
                                 at tag: BlockTag = .latest) async throws -> UInt256 {
        let data: [UInt8] = [0x70, 0xa0, 0x82, 0x31] + [UInt8](repeating: 0, count: 12) + owner.bytes
        let out = try await client.call(CallRequest(to: token, data: data), tag)
        guard out.count == 32, let v = try? UInt256(bigEndian: out) else {
            throw ChainError.malformedResponse(method: "eth_call", field: "balanceOf", detail: "返回值不是 32 字节（\(out.count)） / the return value is not 32 bytes (\(out.count))")
        }
        return v
    }
}
