// 门面（CLI、控制台）只 import WalletEngine：这里把它们要读的账本记录类型按原名转出。
// 转出的是值类型的记录与枚举；账本对象（Ledger、SQL、存储）不在其中，门面因此碰不到 SQL。
import WalletLedger

public typealias Asset = WalletLedger.Asset
public typealias Deposit = WalletLedger.Deposit
public typealias DepositState = WalletLedger.DepositState
public typealias DepositAddressRecord = WalletLedger.DepositAddressRecord
public typealias Withdrawal = WalletLedger.Withdrawal
public typealias WithdrawalState = WalletLedger.WithdrawalState
public typealias WithdrawalRequest = WalletLedger.WithdrawalRequest
public typealias WithdrawalOrder = WalletLedger.WithdrawalOrder
public typealias AllowlistEntry = WalletLedger.AllowlistEntry
public typealias Operator = WalletLedger.Operator
public typealias OperatorRole = WalletLedger.OperatorRole
public typealias AuditRecord = WalletLedger.AuditRecord
public typealias Job = WalletLedger.Job
public typealias JobState = WalletLedger.JobState
public typealias AccountBalance = WalletLedger.AccountBalance
public typealias InvariantViolation = WalletLedger.InvariantViolation
public typealias ApprovalPolicy = WalletLedger.ApprovalPolicy
public typealias LedgerError = WalletLedger.LedgerError
public typealias AddressValidator = WalletLedger.AddressValidator
public typealias Alert = WalletLedger.Alert
public typealias ColdWallet = WalletLedger.ColdWallet
public typealias HotInbound = WalletLedger.HotInbound
