"""Call-centre transcripts: calm inquiries, complaints, and calls that escalate.

Escalating calls are what voc's call scoring must catch, so they follow the real pattern: the customer's
tone drops turn by turn and cue phrases (多次, 还没解决, 12378 ...) recur. Some turns carry ASR artefacts
(no punctuation, 嗯/呃 fillers) because production transcripts come from speech recognition.
"""

from __future__ import annotations

import random
import re
from typing import Any

from voc.sample import phrases
from voc.sample.themes import Theme

BANK = "XX银行"
AGENT_OPENERS = ("您好，XX银行客服，请问有什么可以帮您？", "您好，很高兴为您服务，工号{num}，请问有什么可以帮您？",
                 "您好，XX银行，请问您需要办理什么业务？", "您好，这里是XX银行客服中心，请讲。")
VERIFY = (
    ("好的，为了核实身份，麻烦您提供一下身份证后四位", ("后四位是{tail}", "嗯，{tail}", "是{tail}")),
    ("请问您是持卡人本人吗？", ("是本人", "对，是我本人", "嗯是我")),
    ("好的，我帮您查询一下，请稍等", ("好的", "嗯，好", "行")),
)
AGENT_SORRY = ("非常抱歉给您带来不便", "我理解您的心情", "给您添麻烦了，实在抱歉", "您先别着急，我这边帮您看一下")
AGENT_GENERAL = ("您反映的情况我会转给相关部门核实", "我这边帮您记录反馈，会有专人回访", "我帮您提交了一个服务工单")
AGENT_CLOSE = ("感谢您的来电，祝您生活愉快，再见", "请问还有其他可以帮您的吗？", "好的，稍后请对我的服务做出评价，再见")
CUSTOMER_CALM_END = ("好的，明白了，谢谢", "行，那我知道了，谢谢你", "好的谢谢", "没有了，谢谢", "好的，那就这样吧")
CUSTOMER_MILD = ("行吧，那你们尽快", "那我等你们消息", "好吧，希望这次能解决", "那要等多久？")
AGENT_MILD = ("一般三到五个工作日会有结果", "处理结果会短信通知您", "我已经备注了加急")
CUSTOMER_PRAISE = ("你的服务态度真好，谢谢", "你解释得很清楚，给你好评", "麻烦你了，你很耐心")
ESCALATION = (
    ("我已经打了好几次电话了", "这个问题我反映过多次了", "你们每次都这么说"),
    ("到现在还没解决", "一直拖着不给处理", "我都打了好几次了还是没人管"),
    ("我要投诉", "找你们领导来跟我说", "你们领导呢？让他接电话"),
    ("再不解决我就投诉到银保监", "我要打12378投诉你们", "我已经准备投诉到银保监了"),
)
AGENT_ESCALATION = ("我理解您的心情，我这边帮您升级处理", "已经给您提交了加急工单，48小时内会有专人联系您",
                    "我会把您的情况反馈给值班主管", "非常抱歉，我这边马上帮您转给专员处理")
PADDING = (
    (("坐席", "好的，请稍等，我帮您查一下"), ("客户", "嗯")),
    (("坐席", "您好，还在线吗？"), ("客户", "在的")),
    (("坐席", "感谢您的耐心等待，我这边查到了"), ("客户", "嗯，你说")),
    (("坐席", "信号不太好，您能再说一遍吗？"), ("客户", "我说的是刚才那个事")),
)
COMPLAINT_PADDING = (
    (("坐席", "请问是哪一张卡呢？"), ("客户", "尾号{tail}的那张")),
    (("坐席", "请问这个情况是什么时候开始的？"), ("客户", "有一段时间了，具体记不清")),
    (("坐席", "您之前有没有反馈过这个问题？"), ("客户", "反馈过，没什么用")),
)
AGENT_ESCALATION_CLOSE = ("再次向您致歉，专员会尽快联系您，再见", "您的诉求已经记录，我们会尽快给您答复")
SYSTEM_TURNS = ("转接中，请稍候", "您的来电将被录音", "正在为您转接人工服务")
FILLER_WORDS = ("嗯", "呃", "那个", "就是")
_PUNCT = re.compile(r"[，。！？、,.!?]")


def _asr(rng: random.Random, text: str, speaker: str) -> str:
    """Make a turn look like raw speech recognition: punctuation lost, hesitations kept."""
    if rng.random() < 0.6:
        text = _PUNCT.sub(rng.choice(("", " ")), text)
    if rng.random() < 0.6:
        fillers = FILLER_WORDS if speaker == "客户" else FILLER_WORDS[:2]
        text = rng.choice(fillers) + ("，" if rng.random() < 0.3 else "") + text
    return text.strip()


def build_turns(rng: random.Random, *, category: str, theme: Theme | None, escalate: bool, branch: str,
                agent_id: str, followup: bool, pii: str | None, not_pii: str | None) -> list[tuple[str, str]]:
    """The (speaker, text) turns of one call; speakers use the canonical 坐席/客户/系统 labels."""
    turns: list[tuple[str, str]] = [("坐席", rng.choice(AGENT_OPENERS).format(num=agent_id[1:]))]
    if rng.random() < 0.05:
        turns.insert(0, ("系统", rng.choice(SYSTEM_TURNS)))
    if category == "complaint":
        turns.append(("客户", phrases.complaint(rng, theme, branch, "normal", followup)))
        turns += _verify(rng)
        replies = theme.agent_replies if theme else AGENT_GENERAL
        turns.append(("坐席", rng.choice(AGENT_SORRY) + "，" + rng.choice(replies)))
        if escalate:
            for stage in ESCALATION:
                turns.append(("客户", rng.choice(stage) + "，" + rng.choice(phrases.EMOTIONS)))
                turns.append(("坐席", rng.choice(AGENT_ESCALATION)))
            if rng.random() < 0.5:
                turns.append(("客户", rng.choice(ESCALATION[1]) + "，" + rng.choice(ESCALATION[2])))
                turns.append(("坐席", rng.choice(AGENT_ESCALATION)))
        else:
            turns.append(("客户", rng.choice(CUSTOMER_MILD)))
            turns.append(("坐席", rng.choice(AGENT_MILD)))
    else:
        question, answer = rng.choice(phrases.INQUIRIES)
        turns.append(("客户", rng.choice(phrases.INQUIRY_OPENERS) + question))
        if rng.random() < 0.5:
            turns += _verify(rng)
        turns.append(("坐席", answer))
        if category == "praise":
            turns.append(("客户", rng.choice(CUSTOMER_PRAISE)))
        else:
            turns.append(("客户", rng.choice(CUSTOMER_CALM_END)))
    target = rng.randint(6, 20) if not escalate else rng.randint(12, 20)
    first_customer = next(i for i, (s, _) in enumerate(turns) if s == "客户") + 1
    pads = PADDING + COMPLAINT_PADDING if category == "complaint" else PADDING
    for agent_turn, customer_turn in rng.sample(pads, len(pads)):
        if len(turns) + 3 > target and len(turns) + 1 >= 6:
            break
        tail = str(rng.randint(1000, 9999))
        turns[first_customer:first_customer] = [agent_turn, (customer_turn[0], customer_turn[1].format(tail=tail))]
    turns.append(("坐席", rng.choice(AGENT_ESCALATION_CLOSE if escalate else AGENT_CLOSE)))
    customer_idx = [i for i, (s, _) in enumerate(turns) if s == "客户"][:2]
    if pii is not None:
        i = rng.choice(customer_idx)
        turns[i] = ("客户", turns[i][1].rstrip("。！？") + "，" + pii)
    if not_pii is not None:
        i = rng.choice(customer_idx)
        turns[i] = ("客户", turns[i][1].rstrip("。！？") + "，" + not_pii)
    if rng.random() < 0.3:
        turns = [(s, _asr(rng, t, s) if s != "系统" and rng.random() < 0.5 and not _has(t, pii, not_pii) else t)
                 for s, t in turns]
    return turns


def _verify(rng: random.Random) -> list[tuple[str, str]]:
    ask, answers = rng.choice(VERIFY)
    return [("坐席", ask), ("客户", rng.choice(answers).format(tail=rng.randint(1000, 9999)))]


def _has(text: str, *needles: str | None) -> bool:
    return any(n and n in text for n in needles)


def to_json(rng: random.Random, turns: list[tuple[str, str]], header: dict[str, Any]) -> dict[str, Any]:
    """The call file's JSON object, with speech timings and, in a few files, English speaker labels."""
    english = rng.random() < 0.05
    names = {"坐席": "agent", "客户": "customer", "系统": "system"} if english else {}
    clock = 0.0
    out = []
    for speaker, text in turns:
        duration = max(0.8, len(text) / rng.uniform(3.5, 5.5))
        start = round(clock, 1)
        end = round(clock + duration, 1)
        out.append({"speaker": names.get(speaker, speaker), "start": start, "end": end, "text": text})
        clock = end + rng.uniform(0.2, 1.6)
    return {**header, "turns": out}
