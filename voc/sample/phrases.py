"""Text fragments and the composer that turns them into varied feedback texts.

Texts are assembled from independent fragments (opener x subject x problem x detail x consequence x
emotion x demand) so that thousands of records rarely repeat word for word, which is what theme discovery
and near-duplicate handling need to be tested against. None of these shared fragments uses a theme keyword.
"""

from __future__ import annotations

import random

from voc.sample.themes import Theme

OPENERS = ("说实话，", "反映个问题，", "真的无语了，", "作为十几年的老客户，", "忍不住吐槽一下，", "想问问你们，",
           "不吐不快，", "最近遇到的事：", "气死我了，", "唉，", "我就想知道，", "再次反映：")
EMOTIONS = ("太不方便了", "体验极差", "非常失望", "真的很无语", "服务意识太差", "效率低得让人抓狂", "太让人寒心了",
            "越来越差了", "简直离谱", "心累", "还能不能好了", "忍无可忍", "对你们太失望了", "什么破银行")
DEMANDS = ("希望尽快解决", "请给个说法", "希望改进", "请相关部门重视", "再这样就换银行了", "麻烦尽快回复",
           "希望有人跟进", "请给我一个合理的解释")
FOLLOWUPS = ("上次已经反映过一次了", "这是我第二次反映这个问题", "前几天打电话说过了，到现在没动静",
             "上周在APP里留言了，没人回", "之前投诉过，到现在还是老样子", "半个月前就说过了，一直没解决")
INTROS = ("上个月{d}号", "今天上午", "前两天", "上周末", "昨天下午", "这个月初", "{d}号那天", "月底的时候")
FILLERS = ("我当时就跟工作人员说了", "回家以后越想越气", "家里老人也遇到过类似的情况", "身边好几个朋友都有同样的遭遇",
           "打电话问了也没有个准话", "问了三个人三个说法", "我用你们银行十几年了，从来没这么失望过",
           "本来对你们印象挺好的", "工作人员只会说系统规定", "网上一搜，类似的情况一大堆", "这件事前后折腾了快两周",
           "我专门请了假处理这件事", "每个环节都要重新解释一遍")

GENERAL_PROBLEMS = ("柜员态度很冷淡", "工作人员爱答不理", "大堂经理不耐烦", "理财经理说话很冲", "ATM吞卡了",
                    "存款利率又降了", "理财产品亏了还说是稳健型", "短信通知费每年都扣", "外币兑换要提前好几天预约",
                    "零钱兑换不给办", "开个存款证明跑了三趟", "资料填了一遍又一遍", "宣传的活动奖励根本领不到",
                    "办业务的流程太繁琐", "电子回单下载不了", "积分兑换的礼品缺货", "挂失补卡要等半个月",
                    "服务太差了", "体验很差", "越来越不好用了", "修改预留手机号要跑网点", "大额取现要提前预约")
SHORT_NEGATIVE = ("太慢了", "垃圾APP", "很差", "差评", "不满意", "太难用了", "服务差", "失望", "无语", "很烂")
SHORT_POSITIVE = ("服务很好", "满意", "很好", "非常满意", "点赞", "好评", "不错", "方便快捷", "态度好", "很专业",
                  "五星好评", "挺好的")
SHORT_NEUTRAL = ("一般", "还行", "凑合", "一般般", "还可以", "马马虎虎", "就那样")

PRAISE_SUBJECTS = ("大堂经理", "柜员小姐姐", "客服", "理财经理", "网点的工作人员", "接电话的客服", "{branch}的柜员",
                   "客户经理", "保安大哥", "值班的经理")
PRAISE_VERBS = ("服务态度特别好", "很耐心地帮我解决了问题", "解释得很清楚", "办事效率很高", "非常专业",
                "热情周到", "一步一步教我操作", "帮老人家填表很细心", "主动帮我核对信息", "说话很温柔")
APP_PRAISE = ("手机银行界面简洁，操作方便", "转账到账很快", "新版本好用多了", "理财功能很实用", "账单看得很清楚",
              "扫码付款很顺手", "功能很全，常用的都有")
PRAISE_EXTRAS = ("必须给个好评", "下次还来", "已经推荐给朋友了", "辛苦了", "感谢", "值得表扬", "很满意",
                 "这样的员工应该表扬", "体验很好")
PRAISE_STORY = ("我年纪大了对手机操作不熟悉", "本来以为要跑好几趟", "工作人员主动过来询问我要办什么",
                "还提醒我注意防范电信诈骗", "等候的时候还给我倒了杯水", "最后还把我送到门口", "整个过程很顺利",
                "比以前方便太多了", "作为老客户很欣慰", "真心希望银行多一些这样的员工", "遇到不懂的地方她都耐心解释",
                "连我没想到的问题都提前帮我考虑到了", "临近下班也没有催我")
NEUTRAL_OPINIONS = ("还行吧，中规中矩", "一般般，没什么特别的", "没什么好说的，正常水平", "和别家银行差不多")
NEUTRAL_GOOD = ("功能挺全", "用着还可以", "总体还行", "服务还可以", "界面还算清爽", "基本功能都有", "办事还算顺利",
                "工作人员还算客气", "大部分业务都能办")
NEUTRAL_BAD = ("就是界面有点乱", "偶尔有点慢", "有些功能找不到", "流程有点多", "广告弹得有点多", "字太小了",
               "停车不太方便", "有时候要等一会儿", "说明写得不太清楚")
INQUIRIES = (
    ("请问怎么开通手机银行", "您可以在应用商店下载我行APP，用银行卡和身份证完成注册"),
    ("周末营业时间是几点", "大部分网点周末营业时间是上午九点到下午五点"),
    ("大额存单现在利率多少", "目前三年期大额存单年利率是1.9%，具体以网点公告为准"),
    ("信用卡账单日能改吗", "每年可以修改一次账单日，我这边可以帮您提交"),
    ("社保卡在哪个网点能办", "全市网点都可以办理社保卡，建议您提前预约"),
    ("外币现钞需要预约吗", "提取外币现钞需要提前一个工作日预约"),
    ("数字人民币钱包怎么开通", "在APP首页搜索数字人民币就可以开通"),
    ("怎么查看电子回单", "您在交易明细里点开对应交易，就能下载电子回单"),
    ("修改预留手机号要带什么材料", "需要您本人携带身份证和银行卡到网点办理"),
    ("定期存款能提前支取吗", "可以提前支取，提前支取部分按活期利率计息"),
    ("房贷利率什么时候调整", "您的房贷利率将在每年一月一日按最新报价利率调整"),
    ("怎么申请开具存款证明", "您可以在网点柜台或者APP上申请存款证明"),
    ("境外刷卡需要开通什么", "借记卡境外使用需要先开通境外交易功能"),
    ("密码忘了怎么办", "您可以在APP上通过人脸识别重置密码，或者到网点办理"),
    ("积分在哪里查", "APP的我的页面里就能看到积分"),
    ("银行卡丢了怎么挂失", "您可以马上在APP上办理临时挂失，再到网点补卡"),
)
INQUIRY_OPENERS = ("", "你好，", "您好，", "想咨询一下，", "问一下，", "麻烦问下，")


def _end(rng: random.Random) -> str:
    return rng.choice(("。", "。", "！", "", "！！", "。。。"))


def _fill(rng: random.Random, template: str, branch: str) -> str:
    return template.format(branch=branch, d=rng.randint(1, 28))


def complaint(rng: random.Random, theme: Theme | None, branch: str, length: str = "normal",
              followup: bool = False) -> str:
    """A complaint about ``theme`` (or a general one when None), normal (20-80 chars) or long (100-300)."""
    if theme is None:
        core = rng.choice(GENERAL_PROBLEMS)
        details: list[str] = []
        consequences: list[str] = []
        demands = list(DEMANDS)
    else:
        subject = rng.choice(theme.subjects)
        core = subject + ("，" if rng.random() < 0.3 else "") + rng.choice(theme.problems)
        details, consequences = list(theme.details), list(theme.consequences)
        demands = list(theme.demands) + list(DEMANDS)
    core = _fill(rng, core, branch)
    parts: list[str] = []
    if rng.random() < 0.3:
        parts.append(rng.choice(OPENERS).rstrip("，："))
    if length == "long":
        parts.append(_fill(rng, rng.choice(INTROS), branch) + ("在" + branch if rng.random() < 0.3 else ""))
    parts.append(core)
    if followup:
        parts.insert(min(1, len(parts)), rng.choice(FOLLOWUPS))
    if length == "long":
        target = rng.randint(100, 180) if rng.random() < 0.7 else rng.randint(180, 300)
        extra = [f"而且{p}" for p in rng.sample(theme.problems, 2)] if theme else []
        pool = [*details, *consequences, *extra, *rng.sample(FILLERS, 6 if theme else 10)]
        rng.shuffle(pool)
        for frag in pool:
            if sum(len(p) + 1 for p in parts) >= target - 12:
                break
            parts.append(_fill(rng, frag, branch))
        parts.append(rng.choice(EMOTIONS))
        parts.append(rng.choice(demands))
    else:
        if details and rng.random() < 0.45:
            parts.append(_fill(rng, rng.choice(details), branch))
        if consequences and rng.random() < 0.35:
            parts.append(rng.choice(consequences))
        if rng.random() < 0.55:
            parts.append(rng.choice(EMOTIONS))
        if rng.random() < 0.4:
            parts.append(rng.choice(demands))
    return "，".join(parts) + _end(rng)


def praise(rng: random.Random, branch: str, app: bool = False, length: str = "normal") -> str:
    """A compliment about staff or, for app-store reviews, about the app."""
    if app and rng.random() < 0.7:
        parts = [rng.choice(APP_PRAISE)]
        if rng.random() < 0.5:
            parts.append(rng.choice([a for a in APP_PRAISE if a != parts[0]]))
    else:
        parts = [_fill(rng, rng.choice(PRAISE_SUBJECTS), branch) + rng.choice(PRAISE_VERBS)]
        if rng.random() < 0.4:
            parts.append(rng.choice(PRAISE_VERBS))
    if length == "long":
        parts.insert(0, _fill(rng, rng.choice(INTROS), branch) + "去" + branch + "办业务")
        parts += [*rng.sample(PRAISE_VERBS, 2), *rng.sample(PRAISE_STORY, rng.randint(6, 9))]
    if rng.random() < 0.6:
        parts.append(rng.choice(PRAISE_EXTRAS))
    return "，".join(dict.fromkeys(parts)) + rng.choice(("。", "！", "", "~"))


def neutral(rng: random.Random, opinion: bool) -> str:
    """A middle-of-the-road remark (ratings) or an inquiry (calls, social, surveys)."""
    if opinion:
        if rng.random() < 0.2:
            return rng.choice(NEUTRAL_OPINIONS) + rng.choice(("。", "", "吧"))
        return rng.choice(NEUTRAL_GOOD) + rng.choice(("，", "，", "，不过", "，但是")) + rng.choice(NEUTRAL_BAD) + \
            rng.choice(("。", "", "吧", "，还有提升空间", "，凑合用"))
    return rng.choice(INQUIRY_OPENERS) + rng.choice(INQUIRIES)[0] + rng.choice(("？", "?", "", "呢？"))


def short(rng: random.Random, category: str) -> str:
    """A 2-8 character comment of the kind surveys collect in bulk."""
    pool = {"complaint": SHORT_NEGATIVE, "praise": SHORT_POSITIVE, "neutral": SHORT_NEUTRAL}[category]
    return rng.choice(pool) + rng.choice(("", "", "！", "。"))
