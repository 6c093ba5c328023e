import WalletCrypto

/// 控制台所有面向用户的文字。zh 为默认；测试 `stringTableComplete` 保证每个键两种语言都有。
public enum L: String, CaseIterable, Sendable {
    case appTitle, tooSmall, tooSmallHint
    case viewDashboard, viewDeposits, viewWithdrawals, viewSweeps, viewKeys, viewCeremony, viewAudit, viewDeadLetters, viewAlerts
    case hdrChain, hdrCluster, hdrLeader, hdrSigner, hdrHead, hdrLag, hdrNode, hdrBreaker, hdrSealed, hdrUnsealed, hdrUnsealing, hdrOperator, hdrRole
    case panelDeposits, panelWithdrawals, panelSweeps, panelKeys
    case colId, colAsset, colAmount, colAddress, colConfirmations, colState, colAge, colDestination, colApprovals
    case colRequestedBy, colGasLimit, colFeeSlow, colFeeNormal, colFeeFast, colNet, colDecision, colReason, colTopUp
    case colKeyId, colTier, colHealth, colSignatures, colLastUse, colKekAge, colTime, colActor, colAction, colTarget
    case colCommand, colJob, colError, colAttempts, colLastAttempt, colKind, colMessage, colSeverity
    case hdrAlert, hdrRefreshed, hdrStale, sevCritical, sevWarning, sevInfo, waitYou, waitOthers
    case nonceLine, nonceNone, nonceExternal
    case detTitle, detAllowlist, detListedSince, detNotListed, detEip55, detEip55Ok, detEip55Bad, detVelocity
    case detApprovals, detApprovers, detRule, detFee, detTx
    case dlgApproveTitle, dlgApproveTypeHint, dlgCancel, dlgApprove, dlgReject, dlgRejectTitle, dlgRejectReason
    case dlgBulkTitle, dlgBulkSummary, dlgBulkTypeHint, dlgCliTwin, dlgQuitTitle, dlgQuitBody, dlgQuit, dlgOk
    case dlgUnsealTitle, dlgUnsealPassphrase, dlgUnsealShare, dlgRequeueTitle, dlgRequeue, dlgSealTitle, dlgSealBody, actSeal
    case helpTitle, helpClose
    case actQuit, actBack, actHelp, actFilter, actCommand, actNextView, actPrevView, actUp, actDown, actPageUp
    case actPageDown, actTop, actBottom, actOpen, actApprove, actReject, actBulkApprove, actMark, actRequeue
    case actUnseal, actCopy, actRefresh, actCeremony, actGotoView
    case filterPrompt, commandPrompt, loading, empty, copied, unknownCommand, notPermitted, refreshFailed
    case actionDone, themeChanged, themeInvalid, sweepsFeeTrend, keysSeal, keysProgress, ceremonyStart
    case ceremonyWords, ceremonyQuiz, ceremonyPassphrase, ceremonyPassphraseAgain, ceremonyShare, ceremonyNextShare
    case ceremonySummary, ceremonyFingerprint, ceremonyXpub, ceremonyAddresses, ceremonyFinished, ceremonyAborted
    case ceremonyContinue, readonlyBadge, rowsTotal, reorgAlert, marked
    case stConfirming, stCredited, stOrphaned, stReversed, stSuspicious
    case wsPending, wsApproved, wsRejected, wsSigning, wsBroadcast, wsConfirmed, wsFailed
    case roleViewer, roleOperator, roleApprover, roleAdmin
    case keymapInvalid
    case hlOk, hlDegraded, hlSealed, hlUnavailable, hlError
    case colon, dlgAbortCeremonyTitle, dlgAbortCeremonyBody, actAbortCeremony, ceremonyHidden, dlgClose, blkState, blkOwn, blkAlready, blkSkipped, bulkNoneValid, bulkMore, detRequestId, detUser, detHotAfter, themeKept, alreadyUnsealed, exitBye, exitLastMessage, msgLogTitle, msgLogEmpty, msgLogClose, msgMore, lookupFailed
    case colTxHash, detBlock, detLogIndex, detNoLog, detBaseUnits, detDepositTitle, detNonce, detFeePaid, detReason, detSweepTitle
    case detFeeTiers, detFeeMax, detFeeExpected, detDeadTitle, paneHint, copiedField, detNotYet, detNotMined, actSort, sortHotkeyLabel, sortedWindow
    case chartTitle, chartBaseFee, chartTip, chartDeposits, chartPerMinute, chartOutflow, detAuditTitle, detAlertTitle, detStale, chartOutflowShort
}

public struct Strings: Sendable {
    public let lang: Language
    public init(_ lang: Language) { self.lang = lang }

    public subscript(_ k: L) -> String {
        (lang == .zh ? Strings.zh[k] : Strings.en[k]) ?? k.rawValue
    }

    /// 带 `%1` `%2` 占位符的文字。
    public func f(_ k: L, _ args: String...) -> String {
        var s = self[k]
        for (i, a) in args.enumerated() { s = s.replacingOccurrences(of: "%\(i + 1)", with: a) }
        return s
    }
}

import Foundation
