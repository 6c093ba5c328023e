// 测试支撑程序（不是产品，release 安装里没有它）：账本崩溃测试的子进程。
// 它先用 init 同一条路径（HomeInitializer）建一个真实 home，再直接驱动账本反复执行
// 充值 → 重组撤销 → 提现申请/批准/拒绝 → 分配 nonce → 「签名」（随机字节，模拟 HSM 的非确定性签名）→ 先存后广播 → 确认/失败；
// 父进程在随机时刻 SIGKILL 它，再用 wallet-console（经引擎）检查不变量与 broadcast.log。
import Foundation
import WalletCrypto
import WalletEngine
import WalletKeystore
import WalletLedger

struct TestWorker {
    var home: String
    var steps: Int = 1_000_000
    var mode: String = "crash"

    static let policy = """
    {"requestExpirySeconds": 86400, "approvalExpirySeconds": 86400, "allowlist": {"required": true, "coolingOffSeconds": 0},
     "rules": [{"name": "small", "maxAmount": "1", "approvals": 0}, {"name": "big", "approvals": 1}]}
    """
    static let hot = "0x3333333333333333333333333333333333333333"
    static let dest = "0x1111111111111111111111111111111111111111"

    func run() throws {
        let layout = HomeLayout(home)
        if !FileManager.default.fileExists(atPath: layout.configFile) {
            _ = try HomeInitializer.initialize(InitRequest(
                home: home, chainId: 1, rpcURLs: ["http://127.0.0.1:9"], unsealPassphrase: SecretBytes(Array("test-unseal-pass".utf8)),
                adminName: "admin", adminPassphrase: SecretBytes(Array("test-passphrase".utf8)), confirmations: 2,
                keystoreOptions: Keystore.Options(scrypt: ScryptParams(n: 1 << 10, r: 8, p: 1)),
                operatorKDF: ScryptParams(n: 16, r: 1, p: 1), acceptUnbackedSeed: true))
        }
        if !FileManager.default.fileExists(atPath: layout.policyFile) {
            try Data(Self.policy.utf8).write(to: URL(fileURLWithPath: layout.policyFile), options: .atomic)
        }
        let l = try Ledger.open(home: home)
        l.sealer = try KeystoreAuditSealer(home: layout)   // 与产品一样：记录带 MAC（锚可以落后，被杀时正是如此）
        l.policy = try ApprovalPolicy.load(path: layout.policyFile)
        l.deriver = TestDeriver()
        try seed(l)
        if mode == "seed" { return }
        // 告诉测试「库已打开、开始干活」：kill 时刻从这里起算，机器再忙也是在业务中途被杀。
        FileHandle.standardOutput.write(Data("ready\n".utf8))
        try work(l)
    }

    struct TestDeriver: DepositAddressDeriver {
        func derive(index: UInt32) throws -> (address: String, path: String) {
            let h = Hash.sha256(Array("crash-worker".utf8) + withUnsafeBytes(of: index.bigEndian) { Array($0) })
            return ("0x" + Hex.encode(h.prefix(20)), "m/44'/60'/0'/0/\(index)")
        }
    }

    func ops(_ l: Ledger) throws -> [String: Operator] {
        Dictionary(uniqueKeysWithValues: try l.operators().map { ($0.name, $0) })
    }

    func seed(_ l: Ledger) throws {
        if try l.setting("test.seeded") == "1" { return }
        let small = ScryptParams(n: 16, r: 1, p: 1)
        // ETH 由 init 创建；这里只调最小入账金额。
        try l.updateAsset("ETH", by: "admin") { $0.minDeposit = UInt256(1000) }
        try l.addAsset(Asset(symbol: "USDT", decimals: 6, contract: "0xdac17f958d2ee523a2206206994597c13d831ec7", confirmations: 2))
        // 「链」上热钱包的运营注资（账上的热钱包余额不能为负：ledger check 的不变量 7）。
        try l.fundHotWallet(asset: "ETH", amount: UInt256(1_000_000_000) * UInt256(1_000_000_000_000_000_000), ref: "seed", by: "admin")
        try l.fundHotWallet(asset: "USDT", amount: UInt256(1_000_000_000) * UInt256(1_000_000), ref: "seed", by: "admin")
        var o = try ops(l)
        let pw = SecretBytes(Array("test-passphrase".utf8))
        for n in ["alice", "carol"] where o[n] == nil { _ = try l.addOperator(name: n, role: .approver, passphrase: pw, by: o["admin"]!, kdf: small) }
        o = try ops(l)
        _ = try l.allowlistAdd(Self.dest, by: o["alice"]!)
        _ = try l.allowlistActivate(Self.dest, by: o["admin"]!)
        try l.setSetting("test.seeded", "1")
    }

    /// 「链」：广播日志。先写日志（fsync）再标记 broadcast，模拟「节点已收到」。
    func broadcastLog(_ l: Ledger) -> String { (home as NSString).appendingPathComponent("broadcast.log") }

    func chainHas(_ l: Ledger, _ hash: String) -> Bool {
        (try? String(contentsOfFile: broadcastLog(l), encoding: .utf8))?.contains(" \(hash)\n") ?? false
    }

    func send(_ l: Ledger, _ w: Withdrawal) throws {
        let line = "\(w.fromAddress ?? "")#\(w.nonce ?? -1) \(w.txHash ?? "")\n"
        let fd = Foundation.open(broadcastLog(l), O_WRONLY | O_APPEND | O_CREAT, 0o600)
        guard fd >= 0 else { throw LedgerError.storage("无法写 broadcast.log") }
        _ = line.withCString { write(fd, $0, strlen($0)) }
        fsync(fd); close(fd)
    }

    func work(_ l: Ledger) throws {
        let o = try ops(l)
        let carol = o["carol"]!, alice = o["alice"]!
        // 启动恢复：unknown 只按已存哈希查「链」，绝不重签。
        for w in try l.withdrawals(WithdrawalFilter(state: .unknown), page: Page(limit: 1000)) {
            _ = try l.resolveUnknown(withdrawalID: w.id, foundOnChain: chainHas(l, w.txHash ?? "?"))
        }
        var i = Int(try l.setting("test.cursor") ?? "0") ?? 0
        let end = i + steps
        while i < end {
            var rng = UInt64(i) &* 0x9E37_79B9_7F4A_7C15
            func next(_ n: Int) -> Int { rng = rng &* 6364136223846793005 &+ 1442695040888963407; return Int((rng >> 33) % UInt64(n)) }
            let user = "u\(i % 4)"
            let asset = next(3) == 0 ? "USDT" : "ETH"
            let addr = try l.assignAddress(user: user, asset: asset).address
            let amount = asset == "ETH" ? UInt256(UInt64(1 + next(2000))) * UInt256(1_000_000_000_000_000) : UInt256(UInt64(1 + next(3_000_000)))
            let d = try l.observeDeposit(DepositObservation(txHash: String(format: "0x%064x", i), logIndex: 0, address: addr, asset: asset,
                                                            amount: amount, blockNumber: Int64(i), blockHash: "0x\(i)"))
            _ = try l.updateConfirmations(depositID: d.id, confirmations: 1)
            _ = try l.updateConfirmations(depositID: d.id, confirmations: 2)
            if i % 7 == 3, let prev = try l.deposits(page: Page(limit: 1, offset: 1)).first { _ = try l.orphanDeposit(id: prev.id) }
            // 提现
            let amt = ["0.3", "0.8", "1.5"][next(3)]
            do {
                let w = try l.requestWithdrawal(WithdrawalRequest(requestID: "r\(i)", user: user, asset: "ETH", amount: amt, to: Self.dest), by: carol)
                if w.state == .awaitingApproval {
                    if i % 5 == 0 { _ = try l.reject(withdrawalID: w.id, reason: "test", by: alice) }
                    else {
                        do { _ = try l.approve(withdrawalID: w.id, by: alice) } catch LedgerError.reorgDebt {} catch {
                            if try l.withdrawal(id: w.id).state != .approved { throw error }
                        }
                    }
                }
            } catch LedgerError.insufficientBalance {
            } catch LedgerError.reorgDebt { }   // 重组撤销了已花掉的充值：该用户追回前不能提现（预期结果）
            // 执行所有已批准 / 已签名的提现
            for w0 in try l.withdrawals(WithdrawalFilter(state: .approved), page: Page(limit: 100))
                + l.withdrawals(WithdrawalFilter(state: .signed), page: Page(limit: 100)) {
                var w = w0
                if w.state == .approved {
                    let nonce = try l.reserveNonce(withdrawalID: w.id, from: Self.hot)
                    // 非确定性「签名」：每次都不同，崩溃后重签会得到不同字节——只有先存后播才安全。
                    let raw = Array("tx:\(w.id):\(nonce):".utf8) + (try SecureRandom.bytes(16))
                    w = try l.recordSigned(withdrawalID: w.id, rawTx: raw, txHash: "0x" + Hex.encode(Hash.sha256(raw)))
                }
                w = try l.beginBroadcast(withdrawalID: w.id)
                try send(l, w)
                w = try l.markBroadcast(withdrawalID: w.id)
                if w.id % 6 == 0 { _ = try l.markFailed(withdrawalID: w.id, fee: UInt256(21_000), reason: "reverted") }
                else { _ = try l.markConfirmed(withdrawalID: w.id, fee: UInt256(21_000)) }
            }
            // 归集：每 4 步把一个有余额的充值地址归集到热钱包；幂等键 (地址, 步号)，重放同一步不会再规划第二笔。
            if i % 4 == 1, let acc = try l.balances(kind: .depositAddress, asset: asset, page: Page(limit: 20))
                .first(where: { !$0.net.negative && !$0.net.magnitude.isZero }) {
                let s = try l.planSweep(address: acc.ref.owner, nonce: Int64(i), asset: asset, amount: acc.net.magnitude,
                                        fee: UInt256(21_000), topup: asset == "ETH" ? .zero : UInt256(50_000))
                _ = s
            }
            for s in try l.sweeps(state: .toppingUpGas, page: Page(limit: 10)) { _ = try l.sweepTopUpConfirmed(id: s.id, topupFee: UInt256(21_000)) }
            for s in try l.sweeps(state: .ready, page: Page(limit: 10)) {
                if s.id % 5 == 0 { _ = try l.sweepDefer(id: s.id, reason: "fee too high") }
                else { _ = try l.sweepBroadcast(id: s.id, txHash: "0xsweep\(s.id)") }
            }
            for s in try l.sweeps(state: .broadcast, page: Page(limit: 10)) {
                if s.id % 7 == 0 { _ = try l.sweepFailed(id: s.id, fee: UInt256(21_000), reason: "reverted") }
                else { _ = try l.sweepConfirmed(id: s.id, fee: UInt256(21_000)) }
            }
            i += 1
            try l.setSetting("test.cursor", String(i))
        }
    }
}

// 参数：--home H [--mode seed|crash] [--steps N]
var args = Array(CommandLine.arguments.dropFirst())
var w = TestWorker(home: "")
while !args.isEmpty {
    let k = args.removeFirst()
    guard let v = args.first else { FileHandle.standardError.write(Data("missing value for \(k)\n".utf8)); exit(2) }
    args.removeFirst()
    switch k {
    case "--home": w.home = v
    case "--mode": w.mode = v
    case "--steps": w.steps = Int(v) ?? 1
    default: FileHandle.standardError.write(Data("unknown option \(k)\n".utf8)); exit(2)
    }
}
guard !w.home.isEmpty else { FileHandle.standardError.write(Data("--home required\n".utf8)); exit(2) }
do { try w.run() } catch {
    FileHandle.standardError.write(Data("test-worker: \(error)\n".utf8))
    exit(1)
}
