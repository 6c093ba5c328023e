#!/usr/bin/env python3
"""测试用 JSON-RPC 故障代理：站在引擎与测试链之间，按指令丢弃、延迟、搅乱应答，或把手续费报价抬高（尖峰）。

只用于测试（issue 10 的一致性测试）。控制方法不转发：
  proxy_fault [mode, count]   之后 count 个请求按 mode 出错：drop（收下请求、不应答直接断开）、
                              delay:<秒>（延迟后照常转发）、garble（应答截断成坏 JSON）、http500
  proxy_feeSpike [factor, only?]  eth_feeHistory / eth_gasPrice / eth_maxPriorityFeePerGas 的报价乘以 factor（1 = 关闭）；
                              only = "reward" 时只放大 feeHistory 的 reward（小费），基础费不变
  proxy_stats []              {"forwarded": n, "faulted": n}
启动后打印 PROXY_PORT=<端口>。
"""
import argparse
import json
import os
import signal
import sys
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class State:
    def __init__(self):
        self.lock = threading.Lock()
        self.fault = None      # (mode, remaining)
        self.spike = 1
        self.spike_only = None
        self.forwarded = 0
        self.faulted = 0

    def take_fault(self):
        with self.lock:
            if not self.fault:
                return None
            mode, left = self.fault
            self.fault = (mode, left - 1) if left > 1 else None
            self.faulted += 1
            return mode


def scale(v, k):
    if isinstance(v, str) and v.startswith("0x"):
        return hex(int(v, 16) * k)
    if isinstance(v, list):
        return [scale(x, k) for x in v]
    return v


def spike(method, resp, k, only=None):
    if k == 1 or "result" not in resp:
        return resp
    r = resp["result"]
    if method in ("eth_gasPrice", "eth_maxPriorityFeePerGas") and not only:
        resp["result"] = scale(r, k)
    elif method == "eth_feeHistory" and isinstance(r, dict):
        for key in ((only,) if only else ("baseFeePerGas", "reward")):
            if key in r:
                r[key] = scale(r[key], k)
    return resp


def make_handler(st, upstream):
    class H(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True   # 同 devnet.py：头与正文分两次写，不关 Nagle 每个请求多等约 40 ms

        def log_message(self, *a):
            pass

        def reply(self, code, data):
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self):
            raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            try:
                req = json.loads(raw)
            except Exception:
                req = {}
            method = req.get("method") if isinstance(req, dict) else None
            params = (req.get("params") or []) if isinstance(req, dict) else []
            if method == "proxy_fault":
                with st.lock:
                    st.fault = (params[0], int(params[1])) if int(params[1]) > 0 else None
                return self.reply(200, json.dumps({"jsonrpc": "2.0", "id": req.get("id"), "result": True}).encode())
            if method == "proxy_feeSpike":
                with st.lock:
                    st.spike = max(1, int(params[0]))
                    st.spike_only = params[1] if len(params) > 1 else None
                return self.reply(200, json.dumps({"jsonrpc": "2.0", "id": req.get("id"), "result": True}).encode())
            if method == "proxy_stats":
                with st.lock:
                    out = {"forwarded": st.forwarded, "faulted": st.faulted}
                return self.reply(200, json.dumps({"jsonrpc": "2.0", "id": req.get("id"), "result": out}).encode())
            mode = st.take_fault()
            if mode == "drop":
                self.close_connection = True
                self.connection.shutdown(2)
                return
            if mode == "http500":
                return self.reply(500, b"{}")
            if mode and mode.startswith("delay:"):
                time.sleep(float(mode[6:]))
            try:
                r = urllib.request.urlopen(urllib.request.Request(upstream, data=raw, headers={"Content-Type": "application/json"}), timeout=30)
                body = r.read()
            except Exception as e:
                return self.reply(502, json.dumps({"error": str(e)}).encode())
            with st.lock:
                st.forwarded += 1
                k, only = st.spike, st.spike_only
            if k != 1 and method in ("eth_gasPrice", "eth_maxPriorityFeePerGas", "eth_feeHistory"):
                try:
                    body = json.dumps(spike(method, json.loads(body), k, only)).encode()
                except Exception:
                    pass
            if mode == "garble":
                body = body[: max(1, len(body) // 2)]
            self.reply(200, body)

    return H


def main():
    ap = argparse.ArgumentParser(description="JSON-RPC 故障代理（测试用）")
    ap.add_argument("--upstream", required=True)
    ap.add_argument("--port", type=int, default=0)
    a = ap.parse_args()
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    srv = ThreadingHTTPServer(("127.0.0.1", a.port), make_handler(State(), a.upstream))
    srv.daemon_threads = True
    print(f"PROXY_PORT={srv.server_address[1]}", flush=True)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
