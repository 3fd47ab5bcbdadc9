package app

import "fmt"

// uiText translates the lab's own labels; the lessons carry their own
// languages, and so do the words a simulation writes (fault descriptions,
// violations, node state), which stay as the CLI prints them. A key is the
// English text; one with verbs is a format for trf. TestUITextIsTranslated
// checks that every literal passed to tr or trf has a translation.
var uiText = map[string]map[string]string{
	"zh": {
		// Pages.
		"Course": "课程", "Playground": "实验场", "Editor": "编辑器", "Mechanisms": "机制",
		"Language": "语言", "visited": "已读", "completed": "已完成", "played": "已运行",
		"Previous": "上一课", "Next": "下一课", "Mark as completed": "标记为已完成",
		"Check": "检查", "Correct.": "正确。", "Not quite.": "不对。", "Loading…": "加载中…",
		"Contents": "目录", "Your data": "你的数据", "Export": "导出", "Import": "导入",
		"Edit the scenario; the player runs the last version without errors. Faults you click in the player are written into the YAML. Share link: the scenario travels in the link itself.": "编辑场景；播放器运行最近一个没有错误的版本。你在播放器里点击注入的故障会写进 YAML。分享链接：场景就装在链接本身里。",
		"Opened a shared scenario.": "已打开分享的场景。",
		"✓ no problems":             "✓ 没有问题",
		"line %d, column %d: ":      "第 %d 行，第 %d 列：",
		"Saved in this browser":     "保存在本浏览器中的场景",
		"delete":                    "删除",
		"Retry":                     "重试",
		"An interactive lab for distributed consistency and coordination: every mechanism runs as a deterministic simulation beside the lesson that explains it. Break it with faults, watch the invariants fail, then fix it.": "一个关于分布式一致性与协调的交互式实验室：每种机制都作为确定性的模拟，运行在讲解它的课程旁边。用故障把它弄坏，看着不变量被打破，再把它修好。",
		"This course has no lessons in %s.": "这门课程没有 %s 语言的课。",
		"Your lessons":                      "你写的课",
		"Progress, quiz answers, saved scenarios and your lessons stay in this browser (IndexedDB). Move them to another browser as one JSON file.": "进度、测验答案、保存的场景和你写的课都保存在本浏览器中（IndexedDB）。可以把它们导出为一个 JSON 文件，再导入另一个浏览器。",
		"Imported %d records.":                "已导入 %d 条记录。",
		"The course could not be loaded: %s":  "无法加载课程：%s",
		"No such lesson.":                     "没有这一课。",
		"This lesson could not be loaded: %s": "无法加载这一课：%s",
		"path ":                               "路径 ",
		"Download .md":                        "下载 .md",
		"Saved %s in this browser.":           "已将 %s 保存在本浏览器中。",
		"A lesson path is LANG/SLUG, such as en/my-lesson.":                                                            "课程路径的形式是 语言/名称，例如 zh/my-lesson。",
		"coordlab — every run is a deterministic simulation; the same seed gives the same trace, here and in the CLI.": "coordlab —— 每次运行都是确定性的模拟；同一个种子给出同一条轨迹，在这里和在命令行里都一样。",
		// The player.
		"▶ Play": "▶ 播放", "❚❚ Pause": "❚❚ 暂停", "Step": "单步", "Run to end": "运行到结束",
		"process the next event": "处理下一个事件",
		"back to the start":      "回到开头",
		"speed ":                 "速度 ",
		"drag to move in time; going back re-runs the scenario from the start": "拖动以在时间中移动；往回拖会从头重新运行场景",
		" · %d events":    " · %d 个事件",
		" · %s · seed %d": " · %s · 种子 %d",
		"Click a node or a link to inject a fault at this moment; it is recorded into the scenario.": "点击一个节点或一条连线，在此刻注入故障；它会被记录进场景。",
		"Inject into %s at %s: ": "在 %[2]s 向 %[1]s 注入：",
		"crash":                  "崩溃", "restart": "重启", "pause 3s": "暂停 3 秒", "resume": "恢复运行", "isolate": "隔离",
		"clock +5s": "时钟 +5 秒", "clock −5s": "时钟 −5 秒",
		"partition %s | %s": "分区 %s | %s", "cut %s → %s": "切断 %s → %s",
		"heal all": "恢复全部网络", "close": "关闭",
		"At %v: %s. The fault is now part of the scenario.":           "在 %v：%s。这个故障现在是场景的一部分了。",
		"slider %s: min and max must be two numbers or two durations": "滑块 %s：min 和 max 必须是两个数字或两个时长",
		"Export YAML": "导出 YAML", "Share link": "分享链接", "Save": "保存",
		"opens this scenario, with your faults and slider values, in the playground":             "在实验场中打开这个场景，连同你注入的故障和滑块的取值",
		"keep this scenario in this browser":                                                     "把这个场景保存在本浏览器中",
		"Saved %s in this browser (see the playground).":                                         "已将 %s 保存在本浏览器中（见实验场）。",
		"This scenario is already saved in this browser, as %s.":                                 "这个场景已经保存在本浏览器中，名为 %s。",
		"Another draft is saved as %s: open it from the list, or give this lesson another path.": "已有另一份草稿保存为 %s：请从列表中打开它，或者给这一课换一个路径。",
		"jump to this moment": "跳到这一刻",
		"Violations (%d)":     "违反的不变量（%d）",
		"none so far":         "目前没有",
		"Metrics":             "指标",
		"none counted yet; percentiles and the like come at the end": "尚未统计；百分位数之类在运行结束时给出",
		"expectation met": "符合预期", "expectation NOT met": "不符合预期",
		"Mechanism state":                     "机制状态",
		"no state to show":                    "没有可显示的状态",
		"crashed: its volatile state is gone": "已崩溃：易失状态已丢失",
		"up":                                  "运行中", "paused": "已暂停", "crashed": "已崩溃",
	},
}

// tr translates s into lang, or returns it as it is.
func tr(lang, s string) string {
	if t, ok := uiText[lang][s]; ok {
		return t
	}
	return s
}

// trf translates the format and fills it in.
func trf(lang, format string, args ...any) string {
	return fmt.Sprintf(tr(lang, format), args...)
}
