// 角色矩阵（issue 9）：逐项枚举引擎的每个改变状态的操作，对每个不被允许的角色调用它——
// 必须得到 auth.forbidden（输入错误，退出码 2），且数据库逐字节不变（sqlite3 .dump 比对）。
// switch 不带 default：新增一个 EngineOperation 而不在这里覆盖，测试就编译不过。
import Foundation
import Testing
import WalletCrypto
import WalletLedger
@testable import WalletEngine

private func dump(_ home: String) throws -> String {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = ["sqlite3", HomeLayout(home).databaseFile, ".dump"]
    let out = Pipe()
    p.standardOutput = out
    try p.run()
    let d = out.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return String(decoding: d, as: UTF8.self)
}

@Suite(.serialized) struct AuthorizationMatrixTests {
    static let xpub = "xpub6EF8jXqFeFEW5bwMU7RpQtHkzE4KJxcqJtvkCjJumzW8CPpacXkb92ek4WzLQXjL93HycJwTPUAcuNxCqFPKKU5m5Z2Vq4nCyh5CyPeBFFr"

    func attempt(_ e: WalletEngine, _ operation: EngineOperation, as op: Operator) async throws {
        let pw = SecretBytes(Array("long-enough-pass".utf8))
        switch operation {
        case .operatorAdd: _ = try e.addOperator(name: "newbie", role: .viewer, passphrase: pw, by: op, kdf: fastOperatorKDF)
        case .assetAdd: _ = try await e.addAsset(symbol: "DAI", contract: "0x6b175474e89094c44da98b954eedeac495271d0f", decimals: 18, confirmations: 3, by: op)
        case .assetUpdate: _ = try e.updateAsset("ETH", AssetChange(confirmations: 7), by: op)
        case .assetDisable: _ = try e.setAssetEnabled("USDT", false, by: op)
        case .assetEnable: _ = try e.setAssetEnabled("USDT", true, by: op)
        case .depositXpubSet: _ = try e.setDepositXpub(Self.xpub, xpubPath: "m/44'/60'/0'/0", by: op)
        case .addressAssign: _ = try e.assignAddress(user: "u-new", asset: "ETH", by: op)
        case .withdrawRequest:
            _ = try e.requestWithdrawal(WithdrawalRequest(requestID: "m1", user: "u1", asset: "ETH", amount: "0.1",
                                                          to: "0x1111111111111111111111111111111111111111"), by: op)
        case .withdrawApprove: _ = try e.approve(withdrawalID: 1, by: op)
        case .withdrawReject: _ = try e.reject(withdrawalID: 1, reason: "x", by: op)
        case .allowlistAdd: _ = try e.allowlistAdd("0x2222222222222222222222222222222222222222", by: op)
        case .allowlistActivate: _ = try e.allowlistActivate("0x2222222222222222222222222222222222222222", by: op)
        case .hotWalletFund: try e.recordHotWalletFunding(asset: "ETH", amount: UInt256(1), ref: "m", by: op)
        case .jobRequeue: _ = try e.requeue(jobID: 1, by: op)
        case .scannerRescan: _ = try e.requestRescan(from: 0, by: op)
        case .sweepRun: _ = try e.requestSweep(by: op)
        case .reconcileEnqueue: _ = try e.requestReconcile(by: op)
        case .coldWalletAdd: _ = try e.addColdWallet("0x7777777777777777777777777777777777777777", label: "vault", by: op)
        case .suspenseResolve: _ = try e.resolveSuspense(id: 1, asTreasury: true, user: nil, by: op)
        case .keystoreManage: _ = try e.managedKeystore(by: op)
        case .policySet: _ = try e.applyPolicyFile(by: op)
        case .adminDecide: _ = try e.rejectProposal(1, reason: "matrix", by: op)
        case .keystoreSeal: _ = try e.requestSeal(by: op, via: "test")
        case .keystoreUnseal: try e.unseal(passphrase: SecretBytes(Array("unseal-pass-123".utf8)), by: op, via: "test")
        case .ceremonyStart: _ = try e.startCeremony(by: op, label: "matrix")
        case .withdrawCancel: _ = try e.requestCancel(withdrawalID: 1, reason: "matrix", by: op)
        case .signerUse: _ = try await e.useSigner(keyId: "key-matrix", allowNewAddress: true, by: op)
        case .hsmSetPin: try e.updateHSMPin(keyId: "key-matrix", pin: SecretBytes(Array("1234".utf8)), by: op)
        }
    }

    @Test func everyMutatingOperationRefusesTheWrongRoleAndChangesNothing() async throws {
        let home = tempHome("authz")
        _ = try HomeInitializer.initialize(InitRequest(
            home: home, chainId: 1337, chainKind: .demo, rpcURLs: [], unsealPassphrase: SecretBytes(Array("unseal-pass-123".utf8)),
            adminName: "admin", adminPassphrase: SecretBytes(Array("admin-pass-123".utf8)), confirmations: 2,
            keystoreOptions: fastKeystore, operatorKDF: fastOperatorKDF, acceptUnbackedSeed: true))
        let e = try await WalletEngine.open(home: home, options: EngineOpenOptions(logToFile: false, keystoreOptions: fastKeystore))
        let admin = try e.op("admin", role: .admin)
        _ = try await e.addAsset(symbol: "USDT", contract: "0xdac17f958d2ee523a2206206994597c13d831ec7", decimals: 6, confirmations: 2, by: admin)
        var ops: [OperatorRole: Operator] = [.admin: admin]
        for r in [OperatorRole.viewer, .approver, .custodian] { ops[r] = try e.op("op-\(r.rawValue)", role: r) }

        var refused = 0
        for operation in EngineOperation.allCases {
            #expect(!operation.roles.contains(.viewer), "viewer 只读：\(operation.rawValue)")
            #expect(!operation.roles.isEmpty && operation.roles.contains(.admin), "\(operation.rawValue)：admin 应能执行")
            for role in OperatorRole.allCases where !operation.roles.contains(role) {
                let before = try dump(home)
                do {
                    try await attempt(e, operation, as: ops[role]!)
                    Issue.record("\(role.rawValue) 执行 \(operation.rawValue) 本应被拒")
                } catch let err as AuthorizationError {
                    #expect(err.code == "auth.forbidden" && err.isBadInput && err.operation == operation)
                    #expect(err.message(.zh).contains(operation.rawValue) && err.message(.en).contains("needs role"))
                    refused += 1
                }
                #expect(try dump(home) == before, "\(role.rawValue) 的 \(operation.rawValue) 改了数据库")
            }
        }
        #expect(refused >= EngineOperation.allCases.count)
        // 矩阵是真的：被允许的角色确实能做（抽样——不变的审计与业务数据由上面保证）。
        _ = try e.assignAddress(user: "u1", asset: "ETH", by: ops[.custodian]!)
        _ = try e.updateAsset("ETH", AssetChange(confirmations: 5), by: admin)
        #expect(e.asset("ETH")?.confirmations == 5)
        let upd = try e.audits(action: "asset.update").rows.first
        #expect(upd?.operatorName == "admin" && upd?.details.contains("before") == true && upd?.details.contains("after") == true)
    }
}

/// issue 11：签名密钥恢复出的地址必须是配置的热钱包地址——keyId 指向别的密钥时不签（不会从别的地址发钱）。
@Test func hotWalletSignerMustMatchTheConfiguredAddress() async throws {
    let home = tempHome("signer")
    _ = try HomeInitializer.initialize(InitRequest(
        home: home, chainId: 1337, chainKind: .demo, rpcURLs: [], unsealPassphrase: SecretBytes(Array("unseal-pass-123".utf8)),
        adminName: "admin", adminPassphrase: SecretBytes(Array("admin-pass-123".utf8)), confirmations: 2,
        keystoreOptions: fastKeystore, operatorKDF: fastOperatorKDF, acceptUnbackedSeed: true))
    let e = try await WalletEngine.open(home: home, options: EngineOpenOptions(unsealPassphrase: SecretBytes(Array("unseal-pass-123".utf8)),
                                                                             logToFile: false, keystoreOptions: fastKeystore))
    #expect(e.hotWalletSigner() != nil)
    var cfg = e.config
    cfg.hotWallet.address = "0x1111111111111111111111111111111111111111"
    try e.replaceConfigForTests(cfg)
    #expect(e.hotWalletSigner() == nil)
    // 故障是事件（issue 15）：告警一次（重复不刷屏），执行器这一轮失败（--once 退出 1），与「已封存」区分。
    #expect(e.signerFailure == "signer.address_mismatch")
    _ = e.hotWalletSigner()
    #expect(try e.alerts().filter { $0.kind == "signer.address_mismatch" }.count == 1)
}
