import Foundation
import Testing
import WalletCrypto
@testable import WalletLedger

func policyError(_ json: String) -> String? {
    do { _ = try ApprovalPolicy.parse(Data(json.utf8)); return nil } catch let LedgerError.policyInvalid(key, _, _) { return key } catch { return "other" }
}

@Test func policyValidationNamesTheKey() {
    #expect(policyError("[]") == "(root)")
    #expect(policyError(#"{"rules": []}"#) == "rules")
    #expect(policyError(#"{"rules": [{"name": "a"}], "bogus": 1}"#) == "bogus")
    #expect(policyError(#"{"rules": [{"name": "a", "maxAmount": 5}]}"#) == "rules[0].maxAmount")
    #expect(policyError(#"{"rules": [{"name": "a", "maxAmount": "1.2.3"}]}"#) == "rules[0].maxAmount")
    #expect(policyError(#"{"rules": [{"name": "a"}, {"name": "b", "action": "maybe"}]}"#) == "rules[1].action")
    #expect(policyError(#"{"rules": [{"name": "a"}, {"name": "a"}]}"#) == "rules[1].name")
    #expect(policyError(#"{"rules": [{"name": "a", "perUser": {"windowSeconds": 0, "maxAmount": "1"}}]}"#) == "rules[0].perUser.windowSeconds")
    #expect(policyError(#"{"rules": [{"name": "a", "approvals": -1}]}"#) == "rules[0].approvals")
    #expect(policyError(#"{"rules": [{"name": "a", "approvals": true}]}"#) == "rules[0].approvals")
    #expect(policyError(#"{"allowlist": {"required": "yes"}, "rules": [{"name": "a"}]}"#) == "allowlist.required")
    #expect(policyError(#"{"rules": [{"name": "a", "minAmount": "5", "maxAmount": "1"}]}"#) == "rules[0].minAmount")
    #expect(policyError(Fixture.policyJSON) == nil)
}

@Test func firstMatchWins() throws {
    let p = try ApprovalPolicy.parse(Data(Fixture.policyJSON.utf8))
    let none: (Bool, Int64) throws -> UInt256 = { _, _ in .zero }
    #expect(try p.evaluate(asset: Fixture.eth, amount: ether, now: 0, volume: none).rule == "small")
    #expect(try p.evaluate(asset: Fixture.eth, amount: ether + UInt256(1), now: 0, volume: none).rule == "medium")
    #expect(try p.evaluate(asset: Fixture.eth, amount: ether * UInt256(101), now: 0, volume: none).approvals == 2)
    let huge = try p.evaluate(asset: Fixture.eth, amount: ether * UInt256(1000), now: 0, volume: none)
    #expect(huge.action == .block && huge.rule == "block-huge")
    // USDT（6 位精度）同一阈值按自身精度换算
    #expect(try p.evaluate(asset: Fixture.usdt, amount: UInt256(1_000_000), now: 0, volume: none).rule == "small")
    // 没有规则命中 → 默认拒绝
    let only = try ApprovalPolicy.parse(Data(#"{"rules": [{"name": "eth-only", "asset": "ETH"}]}"#.utf8))
    #expect(try only.evaluate(asset: Fixture.usdt, amount: UInt256(1), now: 0, volume: none).action == .block)
}
