// 把 Redis Streams 登记为任务队列后端（入口程序启动时调用一次）。
import WalletLedger

public enum RedisQueueBackend {
    public static func register() {
        // 用到时才连：打开账本不等于要用队列（只读命令不碰它）；要队列的命令（engine run、入队）第一条命令时连，连不上照样点名报错。
        LedgerBackends.registerRedisQueue { url, prefix in try RedisStreamsJobQueue(url: url, prefix: prefix, connectNow: false) }
    }
}
