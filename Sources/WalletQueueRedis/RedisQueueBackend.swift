// 把 Redis Streams 登记为任务队列后端（入口程序启动时调用一次）。
import WalletLedger

public enum RedisQueueBackend {
    public static func register() {
        LedgerBackends.registerRedisQueue { url, prefix in try RedisStreamsJobQueue(url: url, prefix: prefix) }
    }
}
