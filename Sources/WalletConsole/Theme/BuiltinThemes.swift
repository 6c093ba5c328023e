// 由 Themes/*.theme 生成（内容须逐字一致，测试 builtinThemesMatchFiles 会检查）。
// 内置一份，二进制不依赖安装目录即可使用默认主题。
public enum BuiltinThemes {
    public static let names = ["dark", "light", "high-contrast", "mono"]
    public static let text: [String: String] = [
        "dark": #"""
# 默认深色主题（真彩色设计，自动降级到 256/16 色）。格式见 docs/console.md「主题格式」。
name = dark
depth = truecolor
[roles]
normal = #d0d0d0 #1c1c1c
header = #ffffff #005f87 bold
title = #87d7ff #1c1c1c bold
border = #585858 #1c1c1c
selected = #1c1c1c #87d7ff reverse bold
ok = #87d787 #1c1c1c
warn = #ffd75f #1c1c1c bold
bad = #ff5f5f #1c1c1c bold
delta = #ffaf00 #1c1c1c bold underline
dim = #808080 #1c1c1c dim
dialog = #ffffff #303030
button = #d0d0d0 #444444
button_focus = #000000 #87d7ff bold reverse
disabled = #6c6c6c #303030 dim
notice = #ffffff #870000 bold
sparkline = #5fafff #1c1c1c
progress = #87d787 #1c1c1c
marked = #ffd75f #1c1c1c bold
reorg = #ff5f5f #1c1c1c bold reverse
"""#,
        "light": #"""
# 浅色主题：适合白底终端。
name = light
depth = truecolor
[roles]
normal = #1c1c1c #ffffff
header = #ffffff #005f87 bold
title = #005f87 #ffffff bold
border = #a8a8a8 #ffffff
selected = #ffffff #005f87 reverse bold
ok = #008700 #ffffff
warn = #875f00 #ffffff bold
bad = #af0000 #ffffff bold
delta = #af5f00 #ffffff bold underline
dim = #6c6c6c #ffffff dim
dialog = #1c1c1c #e4e4e4
button = #1c1c1c #d0d0d0
button_focus = #ffffff #005f87 bold reverse
disabled = #8a8a8a #e4e4e4 dim
notice = #ffffff #af0000 bold
sparkline = #005fd7 #ffffff
progress = #008700 #ffffff
marked = #875f00 #ffffff bold
reorg = #af0000 #ffffff bold reverse
"""#,
        "high-contrast": #"""
# 高对比度主题：纯黑白加饱和色，所有状态另有粗体/反显。
name = high-contrast
depth = 16
[roles]
normal = brightwhite black
header = black brightwhite bold
title = brightyellow black bold underline
border = brightwhite black
selected = black brightyellow reverse bold
ok = brightgreen black bold
warn = brightyellow black bold
bad = brightred black bold underline
delta = brightcyan black bold underline
dim = white black
dialog = brightwhite black bold
button = brightwhite black
button_focus = black brightwhite bold reverse
disabled = white black dim
notice = brightwhite red bold
sparkline = brightcyan black
progress = brightgreen black bold
marked = brightyellow black bold underline
reorg = brightred black bold reverse
"""#,
        "mono": #"""
# 16 色 / 单色主题：只用终端默认色与属性，任何终端都可读。
name = mono
depth = mono
[roles]
normal = default default
header = default default reverse bold
title = default default bold
border = default default dim
selected = default default reverse
ok = default default
warn = default default bold
bad = default default bold underline
delta = default default bold underline
dim = default default dim
dialog = default default
button = default default
button_focus = default default reverse bold
disabled = default default dim
notice = default default reverse bold
sparkline = default default
progress = default default bold
marked = default default bold underline
reorg = default default reverse bold
"""#,
    ]
    /// 默认主题（dark）；内置文本由测试保证合法。
    public static let fallback: Theme = try! ThemeParser.parse(text["dark"]!)
}
