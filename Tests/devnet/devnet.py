#!/usr/bin/env python3
"""wallet-console 测试链：py-evm + eth-tester 外面包一层最小 JSON-RPC HTTP 服务（只监听 127.0.0.1）。

用法：python3 Tests/devnet/devnet.py [--port 0] [--finality-depth 8]
启动后在标准输出打印一行  DEVNET_PORT=<端口>  （--port 0 时由系统选择端口），然后一直服务到被杀掉。

支持的以太坊方法：eth_chainId eth_blockNumber eth_getBlockByNumber eth_getBlockByHash eth_getLogs
eth_getTransactionReceipt eth_getBlockReceipts eth_getTransactionByHash eth_getTransactionCount eth_sendRawTransaction eth_feeHistory
eth_maxPriorityFeePerGas eth_gasPrice eth_estimateGas eth_getBalance eth_call eth_getCode net_version
区块标签 latest/pending/earliest/safe/finalized（safe = 链头 − finality/2，finalized = 链头 − finality）。

测试控制方法：evm_snapshot evm_revert evm_mine devnet_accounts devnet_send devnet_deployToken
devnet_mintToken devnet_tokenTransfer devnet_setAutoMine devnet_setFinalityDepth（改 finalized 的深度：不出块也能让一批块一起终结）
devnet_fault（故障注入：后续 N 个请求返回
HTTP 500 / 畸形 JSON / 延迟，用于熔断与超时测试）。
"""
import argparse
import json
import os
import signal
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

try:
    from eth_tester import EthereumTester, PyEVMBackend
    from eth_tester.exceptions import TransactionFailed, ValidationError
    from eth_tester.backends.pyevm.main import serialize_transaction_receipt
    from eth_utils import keccak, to_bytes, to_checksum_address
    from eth_abi import encode as abi_encode
except ImportError as e:  # 由 Swift 测试识别并给出跳过说明
    print(f"DEVNET_MISSING_MODULE={e.name}", flush=True)
    sys.exit(3)

HERE = os.path.dirname(os.path.abspath(__file__))
TOKEN_BIN = open(os.path.join(HERE, "Token.bin")).read().strip()


def camel(k):
    parts = k.split("_")
    return parts[0] + "".join(p[:1].upper() + p[1:] for p in parts[1:])


def q(n):
    return hex(int(n))


def rpc_value(v):
    if isinstance(v, bool):
        return v
    if isinstance(v, int):
        return hex(v)
    if isinstance(v, (bytes, bytearray)):
        return "0x" + bytes(v).hex()
    if isinstance(v, dict):
        return {camel(k): rpc_value(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [rpc_value(x) for x in v]
    return v


def rpc_tx(tx):
    out = rpc_value(tx)
    out["input"] = out.pop("data", "0x")
    if out.get("to") in ("", None, "0x"):
        out["to"] = None
    return out


def rpc_log(log):
    out = rpc_value(log)
    out.pop("type", None)
    out["removed"] = False
    return out


def rpc_receipt(r):
    out = rpc_value(r)
    out.pop("stateRoot", None)
    out["logs"] = [rpc_log(l) for l in r["logs"]]
    out["contractAddress"] = r.get("contract_address")
    return out


def rpc_block(b, full):
    out = rpc_value({k: v for k, v in b.items() if k not in ("transactions", "logs_bloom")})
    out["logsBloom"] = "0x" + int(b.get("logs_bloom", 0)).to_bytes(256, "big").hex()
    out["transactions"] = [rpc_tx(t) for t in b["transactions"]] if full else [
        t["hash"] if isinstance(t, dict) else t for t in b["transactions"]]
    return out


class RPCError(Exception):
    def __init__(self, code, message):
        super().__init__(message)
        self.code = code
        self.message = message


class Devnet:
    def __init__(self, finality_depth):
        self.t = EthereumTester(PyEVMBackend())
        self.lock = threading.RLock()
        self.finality = finality_depth
        self.accounts = self.t.get_accounts()
        self.snapshots = {}
        self.fault = None  # (mode, remaining)

    # —— 工具 ——
    def head(self):
        return self.t.get_block_by_number("latest")["number"]

    def tag(self, v):
        if v is None or v == "latest":
            return "latest"
        if v in ("pending", "earliest"):
            return v
        if v == "safe":
            return max(0, self.head() - self.finality // 2)
        if v == "finalized":
            return max(0, self.head() - self.finality)
        if isinstance(v, str) and v.startswith("0x"):
            return int(v, 16)
        raise RPCError(-32602, f"bad block tag {v!r}")

    def tx_params(self, p):
        tx = {}
        for k_rpc, k_py in (("from", "from"), ("to", "to"), ("value", "value"), ("gas", "gas"),
                            ("data", "data"), ("input", "data"), ("maxFeePerGas", "max_fee_per_gas"),
                            ("maxPriorityFeePerGas", "max_priority_fee_per_gas")):
            if k_rpc in p and p[k_rpc] is not None:
                v = p[k_rpc]
                tx[k_py] = int(v, 16) if k_py in ("value", "gas", "max_fee_per_gas", "max_priority_fee_per_gas") else v
        if "from" not in tx:
            tx["from"] = self.accounts[0]
        return tx

    def send(self, tx):
        tx = dict(tx)
        tx.setdefault("gas", 500_000)
        tx.setdefault("value", 0)
        try:
            return self.t.send_transaction(tx)
        except TransactionFailed as e:
            raise RPCError(3, f"execution reverted: {e}")
        except ValidationError as e:
            raise RPCError(-32000, str(e))

    def fee_history(self, count, newest, percentiles):
        newest_n = self.head() if newest in ("latest", "pending") else newest
        count = max(1, min(int(count), newest_n + 1))
        oldest = newest_n - count + 1
        base, ratios, rewards = [], [], []
        for n in range(oldest, newest_n + 1):
            b = self.t.get_block_by_number(n, full_transactions=True)
            bf = b.get("base_fee_per_gas", 0)
            base.append(bf)
            ratios.append(b["gas_used"] / b["gas_limit"] if b["gas_limit"] else 0)
            # 规范算法：按有效小费排序，按 gasUsed 累计找百分位。
            items = []
            for t in b["transactions"]:
                r = self.t.get_transaction_receipt(t["hash"])
                if "max_priority_fee_per_gas" in t and t.get("max_fee_per_gas") is not None:
                    tip = min(t["max_priority_fee_per_gas"], t["max_fee_per_gas"] - bf)
                else:
                    tip = t.get("gas_price", bf) - bf
                items.append((max(0, tip), r["gas_used"]))
            items.sort()
            row = []
            for p in percentiles:
                if not items:
                    row.append(0)
                    continue
                threshold = b["gas_used"] * p / 100
                acc = 0
                val = items[-1][0]
                for tip, used in items:
                    acc += used
                    if acc >= threshold:
                        val = tip
                        break
                row.append(val)
            rewards.append(row)
        # 下一块基础费（EIP-1559）
        last = self.t.get_block_by_number(newest_n)
        bf, used, limit = last.get("base_fee_per_gas", 0), last["gas_used"], last["gas_limit"]
        target = limit // 2
        if used == target:
            nxt = bf
        elif used > target:
            nxt = bf + max(bf * (used - target) // target // 8, 1)
        else:
            nxt = bf - bf * (target - used) // target // 8
        base.append(nxt)
        out = {"oldestBlock": q(oldest), "baseFeePerGas": [q(x) for x in base], "gasUsedRatio": ratios}
        if percentiles:
            out["reward"] = [[q(x) for x in row] for row in rewards]
        return out

    # —— 分发 ——
    def handle(self, method, params):
        t = self.t
        P = params
        if method == "eth_chainId":
            return q(t.backend.chain.chain_id)
        if method == "net_version":
            return str(t.backend.chain.chain_id)
        if method == "eth_blockNumber":
            return q(self.head())
        if method == "eth_getBlockByNumber":
            tag = self.tag(P[0])
            full = bool(P[1]) if len(P) > 1 else False
            try:
                return rpc_block(t.get_block_by_number(tag, full_transactions=full), full)
            except Exception:
                return None
        if method == "eth_getBlockByHash":
            try:
                return rpc_block(t.get_block_by_hash(P[0], full_transactions=bool(P[1])), bool(P[1]))
            except Exception:
                return None
        if method == "eth_getLogs":
            f = P[0] if P else {}
            if "blockHash" in f:
                b = t.get_block_by_hash(f["blockHash"])
                lo = hi = b["number"]
            else:
                lo = self.tag(f.get("fromBlock", "latest"))
                hi = self.tag(f.get("toBlock", "latest"))
                lo = self.head() if lo == "latest" else lo
                hi = self.head() if hi == "latest" else hi
            addrs = f.get("address")
            if isinstance(addrs, str):
                addrs = [addrs]
            addrs = {a.lower() for a in addrs} if addrs else None
            topics = f.get("topics") or []
            out = []
            for log in t.get_logs(from_block=lo, to_block=hi):
                if addrs and log["address"].lower() not in addrs:
                    continue
                ok = True
                for i, want in enumerate(topics):
                    if want is None:
                        continue
                    want = [want] if isinstance(want, str) else want
                    if i >= len(log["topics"]) or log["topics"][i].lower() not in [w.lower() for w in want]:
                        ok = False
                        break
                if ok:
                    out.append(rpc_log(log))
            return out
        if method == "eth_getTransactionReceipt":
            try:
                return rpc_receipt(t.get_transaction_receipt(P[0]))
            except Exception:
                return None
        if method == "eth_getBlockReceipts":
            # 参数：块哈希或块号/标签（执行层 JSON-RPC 规范）；块不存在 → null
            # 直接从块取收据：eth-tester 的逐笔 get_transaction_receipt 从链头往回线性找交易，块越深越慢。
            try:
                ref = P[0]
                h = ref if isinstance(ref, str) and len(ref) == 66 else t.get_block_by_number(self.tag(ref))["hash"]
                chain = t.backend.chain
                blk = chain.get_block_by_hash(to_bytes(hexstr=h))
            except Exception:
                return None
            raw = blk.get_receipts(chain.chaindb)
            vm = chain.get_vm()
            return [rpc_receipt(t.normalizer.normalize_outbound_receipt(serialize_transaction_receipt(blk, raw, tx, i, False, vm)))
                    for i, tx in enumerate(blk.transactions)]
        if method == "eth_getTransactionByHash":
            try:
                return rpc_tx(t.get_transaction_by_hash(P[0]))
            except Exception:
                return None
        if method == "eth_getTransactionCount":
            return q(t.get_nonce(to_checksum_address(P[0]), self.tag(P[1] if len(P) > 1 else "latest")))
        if method == "eth_sendRawTransaction":
            try:
                return t.send_raw_transaction(P[0])
            except Exception as e:  # 签名/链 ID/nonce/余额校验失败
                raise RPCError(-32000, f"{type(e).__name__}: {e}")
        if method == "eth_feeHistory":
            count = int(P[0], 16) if isinstance(P[0], str) else int(P[0])
            return self.fee_history(count, self.tag(P[1]), [float(x) for x in (P[2] if len(P) > 2 else [])])
        if method == "eth_maxPriorityFeePerGas":
            return q(1_000_000_000)
        if method == "eth_gasPrice":
            return q(t.get_block_by_number("latest").get("base_fee_per_gas", 0) + 1_000_000_000)
        if method == "eth_estimateGas":
            try:
                return q(t.estimate_gas(self.tx_params(P[0])))
            except TransactionFailed as e:
                raise RPCError(3, f"execution reverted: {e}")
        if method == "eth_getBalance":
            return q(t.get_balance(to_checksum_address(P[0]), self.tag(P[1] if len(P) > 1 else "latest")))
        if method == "eth_call":
            try:
                return t.call(self.tx_params(P[0]), self.tag(P[1] if len(P) > 1 else "latest"))
            except TransactionFailed as e:
                raise RPCError(3, f"execution reverted: {e}")
        if method == "eth_getCode":
            return t.get_code(to_checksum_address(P[0]))
        # —— 测试控制 ——
        if method == "evm_snapshot":
            sid = t.take_snapshot()
            key = q(len(self.snapshots) + 1)
            self.snapshots[key] = sid
            return key
        if method == "evm_revert":
            sid = self.snapshots.get(P[0])
            if sid is None:
                raise RPCError(-32602, "unknown snapshot")
            t.revert_to_snapshot(sid)
            return True
        if method == "evm_mine":
            n = int(P[0], 16) if P else 1
            t.mine_blocks(n)
            return q(self.head())
        if method == "devnet_accounts":
            return self.accounts
        if method == "devnet_setAutoMine":
            (t.enable_auto_mine_transactions if P[0] else t.disable_auto_mine_transactions)()
            return True
        if method == "devnet_setFinalityDepth":
            self.finality = int(P[0], 16) if isinstance(P[0], str) else int(P[0])
            return True
        if method == "devnet_send":
            return self.send(self.tx_params(P[0]))
        if method == "devnet_deployToken":
            name, symbol, decimals = P[0], P[1], int(P[2])
            args = abi_encode(["string", "string", "uint8"], [name, symbol, decimals]).hex()
            h = self.send({"from": self.accounts[0], "data": TOKEN_BIN + args, "gas": 3_000_000})
            return t.get_transaction_receipt(h)["contract_address"]
        if method == "devnet_mintToken":
            token, to, amount = P[0], P[1], int(P[2], 16)
            data = "0x" + (keccak(text="mint(address,uint256)")[:4] + abi_encode(["address", "uint256"], [to, amount])).hex()
            return self.send({"from": self.accounts[0], "to": token, "data": data})
        if method == "devnet_tokenTransfer":
            # [token, fromAccountIndex, to, amount]；余额不足时交易会被打包但 status=0（失败的转账）
            token, idx, to, amount = P[0], int(P[1]), P[2], int(P[3], 16)
            data = "0x" + (keccak(text="transfer(address,uint256)")[:4] + abi_encode(["address", "uint256"], [to, amount])).hex()
            return self.send_allow_failure({"from": self.accounts[idx], "to": token, "data": data, "gas": 100_000})
        if method == "devnet_fault":
            mode, count = P[0], int(P[1])
            self.fault = (mode, count) if count > 0 else None
            return True
        raise RPCError(-32601, f"method not found: {method}")

    def send_allow_failure(self, tx):
        # eth-tester 会在估算阶段就拒绝必然失败的交易；给定 gas 后直接打包，失败交易也进块（status 0）。
        try:
            return self.t.send_transaction(tx)
        except TransactionFailed:
            # 回滚的交易也会被打包；按哈希返回
            blk = self.t.get_block_by_number("latest", full_transactions=True)
            return blk["transactions"][-1]["hash"] if blk["transactions"] else None


def make_handler(dev):
    class H(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # 响应头与正文是两次写：不关 Nagle 时第二次写要等对方的（延迟）ACK，每个请求白等约 40 ms（真实节点如 geth 都设 TCP_NODELAY）。
        disable_nagle_algorithm = True

        def log_message(self, *a):
            pass

        def reply(self, code, body):
            data = body.encode() if isinstance(body, str) else body
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self):
            n = int(self.headers.get("Content-Length", "0"))
            raw = self.rfile.read(n)
            try:
                req = json.loads(raw)
            except Exception:
                return self.reply(200, json.dumps({"jsonrpc": "2.0", "id": None, "error": {"code": -32700, "message": "parse error"}}))
            method = req.get("method")
            mode = None
            with dev.lock:
                if dev.fault and not str(method).startswith("devnet_"):
                    mode, left = dev.fault
                    dev.fault = (mode, left - 1) if left > 1 else None
            if mode == "http500":
                return self.reply(500, "{}")
            if mode == "garbage":
                return self.reply(200, '{"jsonrpc":"2.0","id":' + json.dumps(req.get("id")) + ',"result":{"number":')
            if mode and mode.startswith("sleep"):
                time.sleep(float(mode[5:] or "2"))  # 在锁外睡眠：慢请求不阻塞其他请求
            with dev.lock:
                try:
                    result = dev.handle(method, req.get("params") or [])
                    resp = {"jsonrpc": "2.0", "id": req.get("id"), "result": result}
                except RPCError as e:
                    resp = {"jsonrpc": "2.0", "id": req.get("id"), "error": {"code": e.code, "message": e.message}}
                except Exception as e:
                    resp = {"jsonrpc": "2.0", "id": req.get("id"), "error": {"code": -32603, "message": f"{type(e).__name__}: {e}"}}
            self.reply(200, json.dumps(resp))

    return H


def main():
    ap = argparse.ArgumentParser(description="wallet-console 测试链（py-evm + eth-tester）")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--finality-depth", type=int, default=8)
    ap.add_argument("--exit-on-stdin-eof", action="store_true",
                    help="标准输入关闭（父进程退出）时自行退出，防止测试进程崩溃后遗留 devnet")
    a = ap.parse_args()
    # 父进程（例如 Swift 测试运行器的线程）可能屏蔽了信号，子进程会继承屏蔽字：显式解除，保证能被 SIGTERM/SIGINT 结束。
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    if a.exit_on_stdin_eof:
        def watch():
            try:
                while sys.stdin.buffer.read(1):
                    pass
            finally:
                os._exit(0)
        threading.Thread(target=watch, daemon=True).start()
    dev = Devnet(a.finality_depth)
    srv = ThreadingHTTPServer(("127.0.0.1", a.port), make_handler(dev))
    srv.daemon_threads = True
    print(f"DEVNET_PORT={srv.server_address[1]}", flush=True)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
