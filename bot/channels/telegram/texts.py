"""Telegram-only user-visible texts, in Traditional Chinese, Simplified Chinese and English.

Texts shared with other channels (greeting, help, about, fallback, suggestion header, "none of
these", non-text hint) come from the engine's persona strings in ``config.yaml``. The texts
here are Telegram's own: command descriptions for the command menu, group-addressing help,
admin replies and callback toasts. ``config.yaml`` may override any of them under
``telegram: texts: <script>: <key>``; :mod:`bot.channels.telegram.settings` validates the keys.

Placeholders in braces are filled with :meth:`str.format` by the handlers; their values are
HTML-escaped first.
"""

from __future__ import annotations

from types import MappingProxyType

COMMANDS = ("start", "help", "ask", "topics", "random", "about", "source")
"""The public commands, in menu order (setMyCommands)."""

_DEFAULTS: dict[str, dict[str, str]] = {
    "hant": {
        "cmd_start": "開始",
        "cmd_help": "怎麼提問",
        "cmd_ask": "提問：/ask 你的問題",
        "cmd_topics": "訪談涵蓋的主題",
        "cmd_random": "隨機一段回答",
        "cmd_about": "關於這個機器人",
        "cmd_source": "訪談出處",
        "help_groups": (
            "在群組裡，請用 /ask@{bot} 加上問題，或直接回覆我的訊息。"
            "隱私模式開啟時（預設），我看不到其他訊息；只有關閉隱私模式，我才會回應 @{bot} 提及。"
        ),
        "help_inline": "在任何聊天中輸入 @{bot} 加上問題，即可分享一段回答。",
        "ask_usage": "請在 /ask 後面寫下問題，例如：/ask 為什麼要開源？",
        "topics_header": "訪談涵蓋這些主題：",
        "source": "出處：{title}（{date}）",
        "source_link": "原文",
        "already_sent": "已經送出了。",
        "button_expired": "這個按鈕已失效。",
        "reload_ok": "已重新載入知識庫。",
        "reload_failed": "重新載入失敗，繼續使用舊的知識庫：{error}",
        "stats": (
            "回答 {answer}，建議 {suggest}，未能回答 {fallback}，閒聊 {smalltalk}，"
            "行內查詢 {inline}，錯誤 {errors}"
        ),
    },
    "hans": {
        "cmd_start": "开始",
        "cmd_help": "怎么提问",
        "cmd_ask": "提问：/ask 你的问题",
        "cmd_topics": "访谈涵盖的主题",
        "cmd_random": "随机一段回答",
        "cmd_about": "关于这个机器人",
        "cmd_source": "访谈出处",
        "help_groups": (
            "在群组里，请用 /ask@{bot} 加上问题，或直接回复我的消息。"
            "隐私模式开启时（默认），我看不到其他消息；只有关闭隐私模式，我才会回应 @{bot} 提及。"
        ),
        "help_inline": "在任何聊天中输入 @{bot} 加上问题，即可分享一段回答。",
        "ask_usage": "请在 /ask 后面写下问题，例如：/ask 为什么要开源？",
        "topics_header": "访谈涵盖这些主题：",
        "source": "出处：{title}（{date}）",
        "source_link": "原文",
        "already_sent": "已经发送了。",
        "button_expired": "这个按钮已失效。",
        "reload_ok": "已重新载入知识库。",
        "reload_failed": "重新载入失败，继续使用旧的知识库：{error}",
        "stats": (
            "回答 {answer}，建议 {suggest}，未能回答 {fallback}，闲聊 {smalltalk}，"
            "行内查询 {inline}，错误 {errors}"
        ),
    },
    "en": {
        "cmd_start": "Start",
        "cmd_help": "How to ask",
        "cmd_ask": "Ask: /ask your question",
        "cmd_topics": "Topics the interview covers",
        "cmd_random": "A random answer",
        "cmd_about": "About this bot",
        "cmd_source": "The interview's source",
        "help_groups": (
            "In a group, write /ask@{bot} followed by your question, or reply to one of my "
            "messages. With privacy mode on (the default) I do not see other messages; I answer "
            "@{bot} mentions only when privacy mode is off."
        ),
        "help_inline": "In any chat, type @{bot} and a question to share an answer.",
        "ask_usage": "Write your question after /ask, for example: /ask why open source?",
        "topics_header": "The interview covers these topics:",
        "source": "Source: {title} ({date})",
        "source_link": "Source",
        "already_sent": "Already sent.",
        "button_expired": "This button has expired.",
        "reload_ok": "Knowledge reloaded.",
        "reload_failed": "Reload failed; the old knowledge keeps serving: {error}",
        "stats": (
            "answers {answer}, suggestions {suggest}, fallbacks {fallback}, "
            "small talk {smalltalk}, inline queries {inline}, errors {errors}"
        ),
    },
}

DEFAULTS = MappingProxyType({k: MappingProxyType(v) for k, v in _DEFAULTS.items()})
"""script → key → text; the read-only built-in texts."""

KEYS = frozenset(_DEFAULTS["en"])
"""The text keys a ``telegram: texts:`` section may override."""
