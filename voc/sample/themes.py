"""The complaint themes injected into the sample, with their vocabulary and their course over the year.

The course of each theme is the ground truth the monthly flags are tested against, so the schedule lives
here as data and is copied into MANIFEST.json. Every theme owns keywords that no other generated text
uses, which keeps the ground truth clean: a text carries a theme's keyword exactly when it is that theme.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

MONTHS = ("2025-11", "2025-12", "2026-01", "2026-02", "2026-03", "2026-04",
          "2026-05", "2026-06", "2026-07", "2026-08", "2026-09", "2026-10")
SOURCES = ("app_store", "nps_survey", "branch_csat", "calls", "social")
SOURCE_CHANNEL = {"app_store": "rating", "nps_survey": "rating", "branch_csat": "rating", "calls": "call",
                  "social": "social"}


@dataclass(frozen=True)
class Theme:
    """One injected complaint theme: what it is about, how it evolves, and the fragments its texts use."""

    id: str
    label: str
    process_step: str
    course: str
    keywords: tuple[str, ...]
    monthly: tuple[float, ...]
    source_weights: tuple[float, ...]
    products: tuple[str, ...]
    subjects: tuple[str, ...]
    problems: tuple[str, ...]
    details: tuple[str, ...]
    consequences: tuple[str, ...]
    demands: tuple[str, ...]
    agent_replies: tuple[str, ...]
    hashtags: tuple[str, ...]
    noise: float = 0.10


THEMES: tuple[Theme, ...] = (
    Theme(
        id="transfer_limit", label="转账限额太低/调额难", process_step="transfer_limits", course="recurring",
        keywords=("限额", "调额", "提额"),
        monthly=(120,) * 12, source_weights=(0.30, 0.15, 0.10, 0.20, 0.25), products=("借记卡", "手机银行"),
        subjects=("用手机银行", "网银", "给家里转钱的时候", "跨行转账", "交房租的时候", "给供应商付货款",
                  "APP上", "晚上急着转账", "付首付的时候", "给孩子交学费", "转账给朋友"),
        problems=("单笔限额才5000元", "日累计限额只有5万", "转账限额太低了", "又提示超出限额",
                  "提示已达当日限额", "限额低得离谱", "每天限额两万根本不够用", "动不动就超限额",
                  "限额设置得太死", "限额一直调不上去", "想调额却找不到地方"),
        details=("想在APP里调高限额，结果找不到入口", "申请提额说要本人带身份证去柜台",
                 "调额要去网点面签，上班族哪有时间",
                 "打电话问调额，说线上不能改", "提交了三次调额申请都失败", "别家银行在手机上就能提额",
                 "说是为了资金安全，可调额流程也太麻烦了", "U盾用户限额高一点，手机用户就是不行",
                 "临时提额只管24小时，第二天又恢复了"),
        consequences=("房租晚交了两天被房东催", "货款没付成耽误了发货", "只能拆成好几笔转，来回折腾",
                      "钱分了三天才转完", "首付差点没凑上", "只好借朋友的卡转账", "学费差点逾期"),
        demands=("希望能在手机上直接调额", "能不能把限额提高一点", "建议优化调额流程", "请给个能提额的办法",
                 "希望限额能让客户自己设置"),
        agent_replies=("目前手机银行的转账限额是根据您的安全认证方式设定的",
                       "如需调高限额，需要您本人携带身份证到网点办理", "我这边可以帮您申请临时提额，有效期24小时",
                       "建议您开通U盾后再调整限额，U盾的限额会高一些"),
        hashtags=("#转账限额#", "#银行限额#"),
    ),
    Theme(
        id="app_crash", label="手机银行APP闪退/登录失败", process_step="mobile_app", course="resolved",
        keywords=("闪退", "登录失败", "登不上", "打不开", "白屏", "卡死"),
        monthly=(155, 150, 160, 148, 152, 145, 8, 5, 4, 6, 3, 5), source_weights=(0.50, 0.05, 0.03, 0.15, 0.27),
        products=("手机银行",),
        subjects=("手机银行APP", "你们的APP", "新版本APP", "手机银行", "更新以后APP", "掌上银行", "这个APP",
                  "APP最近"),
        problems=("一打开就闪退", "登录失败，提示网络异常", "总是登录失败", "点一下转账就闪退", "打开就白屏",
                  "刷脸登录失败了十几次", "一直登不上", "更新后直接打不开", "用两下就闪退", "卡死在启动页面",
                  "输完密码就闪退", "指纹登录失败"),
        details=("卸载重装了也没用", "换了个手机还是闪退", "清了缓存照样登录失败", "安卓和苹果手机都试了，一样打不开",
                 "客服让我等新版本", "验证码收到了但就是登不上", "WiFi和流量都试过了，还是白屏",
                 "身边好几个同事也登不上"),
        consequences=("工资到账了查不了", "急着还信用卡却登不上", "理财到期了没法操作", "只能跑去网点办",
                      "错过了缴费时间", "付款的时候当众尴尬"),
        demands=("赶紧修复吧", "什么时候能修好", "技术人员能不能上点心", "请尽快发布修复版本",
                 "希望下个版本别再闪退了"),
        agent_replies=("近期部分用户反馈APP闪退，技术部门正在处理", "建议您先卸载后重新安装最新版本",
                       "登录失败的问题我已经帮您记录并提交给技术部门", "您可以先通过网上银行办理业务"),
        hashtags=("#手机银行闪退#", "#APP登不上#"),
    ),
    Theme(
        id="pension_account", label="个人养老金账户开立/扣款纠纷", process_step="account_opening",
        course="emerging", keywords=("养老金",),
        monthly=(2, 3, 1, 2, 3, 2, 4, 3, 5, 12, 60, 130), source_weights=(0.05, 0.20, 0.15, 0.25, 0.35),
        products=("个人养老金",), noise=0.08,
        subjects=("个人养老金账户", "养老金账户", "网点给我开的个人养老金账户", "个人养老金", "养老金资金账户",
                  "我妈的个人养老金账户"),
        problems=("没经过我同意就开立了", "莫名其妙开好了我一点都不知道", "开的时候说送礼品，结果钱取不出来",
                  "每个月被自动扣款", "说缴存了就要到退休才能取", "想注销却说不能线上办理",
                  "是营业员为了完成任务帮我开的",
                  "被代扣了一万二都不知道", "开户时没说明任何规则"),
        details=("去网点问，工作人员说是系统批量开的", "签字的时候根本没说是养老金账户", "扣款短信半夜才收到",
                 "老人家根本不懂这个，被忽悠开了", "说是政策要求，问具体哪条又说不出来", "同事也被这样开过养老金账户"),
        consequences=("急用钱的时候取不出来", "每月多扣一千块", "信用记录里多了一个账户", "家里老人为此着急上火"),
        demands=("请立刻给我注销", "把扣的钱退回来", "要求给个书面说明", "希望停止这种强制开户",
                 "请监管部门查一查这种开户指标"),
        agent_replies=("个人养老金账户开立需要您本人授权，我帮您核实一下开户记录",
                       "如需注销个人养老金账户，需要您本人到开户网点办理", "缴存扣款的问题我这边帮您提交核查工单"),
        hashtags=("#个人养老金#", "#养老金账户被开立#"),
    ),
    Theme(
        id="branch_queue", label="网点排队时间长", process_step="branch_counter", course="stable",
        keywords=("排队", "叫号", "取号", "窗口"),
        monthly=(70,) * 12, source_weights=(0.03, 0.35, 0.35, 0.05, 0.22), products=("借记卡", "大额存单", "理财"),
        subjects=("网点", "{branch}", "周末去网点", "上午去柜台", "营业厅", "你们这个网点", "今天去{branch}"),
        problems=("排队等了两个小时", "取号后前面还有四十多人", "只开了一个窗口", "叫号特别慢", "排队一上午没办成",
                  "十几个人排队就一个窗口办理", "贵宾窗口空着也不给普通客户办", "排队排到下班还没叫到我"),
        details=("柜员还在聊天", "大堂经理让我在机器上取号，机器又坏了", "老人站着排队没人管", "叫号屏幕一直不动",
                 "午休时间只留一个窗口"),
        consequences=("请了半天假白跑一趟", "孩子在家没人管", "下午的会都耽误了", "停车费都花了几十块"),
        demands=("多开几个窗口吧", "希望能网上预约取号", "高峰期能不能加人", "请改进一下叫号系统"),
        agent_replies=("网点高峰时段客流较多，建议您通过手机银行预约取号", "您的意见我会反馈给网点负责人",
                       "工作日上午十点前排队的客户相对较少"),
        hashtags=("#银行排队#",),
    ),
    Theme(
        id="hotline_wait", label="客服热线难打通/转人工难", process_step="hotline", course="stable",
        keywords=("打不通", "转人工", "人工客服", "占线", "没人接"),
        monthly=(65,) * 12, source_weights=(0.05, 0.15, 0.30, 0.20, 0.30), products=("信用卡", "借记卡"),
        subjects=("客服热线", "打你们客服电话", "热线电话", "信用卡中心的电话", "你们的服务电话"),
        problems=("根本打不通", "转人工要等半个小时", "一直占线", "想转人工怎么按都不行", "打了十几遍没人接",
                  "智能语音听不懂话，转人工太难了", "人工客服永远在忙", "等了四十分钟人工客服也没接"),
        details=("按键菜单绕了五六层", "好不容易接通又被挂断", "语音助手只会让我去APP上查", "晚上十点以后根本没人接"),
        consequences=("话费都打了好几十", "卡里的问题拖了一周", "急事一直办不了"),
        demands=("多安排点人手吧", "请把转人工的入口放在前面", "希望改进热线服务"),
        agent_replies=("非常抱歉让您久等了，近期来电量比较大", "您以后可以直接按0转人工客服",
                       "您反映的热线等待问题我会记录并上报"),
        hashtags=("#客服电话打不通#",),
    ),
    Theme(
        id="marketing_calls", label="营销电话骚扰", process_step="marketing", course="stable",
        keywords=("营销电话", "推销", "骚扰"),
        monthly=(55,) * 12, source_weights=(0.05, 0.20, 0.10, 0.25, 0.40), products=("信用卡", "理财", "消费贷"),
        subjects=("你们银行", "理财经理", "信用卡中心", "贷款专员", "保险代理"),
        problems=("一天打三四个营销电话", "天天打电话推销", "说了不需要还一直骚扰", "上班时间不停打来推销",
                  "换着号码骚扰", "晚上九点还在打营销电话", "周末一大早就来推销"),
        details=("已经明确拒绝过好几回了", "挂了马上又换个号码打过来", "推销的产品我根本用不上",
                 "说是回访结果又在推产品"),
        consequences=("开会的时候被打断好几次", "午休完全没法休息", "家里老人差点被说动买了保险"),
        demands=("请把我的号码从名单里删掉", "别再打了", "希望管好你们的外呼"),
        agent_replies=("非常抱歉打扰到您，我帮您登记不再接受营销电话", "登记后三个工作日内生效",
                       "您的意见我会反馈给外呼部门"),
        hashtags=("#银行营销电话#",),
    ),
    Theme(
        id="card_fee", label="信用卡年费/分期手续费", process_step="credit_card", course="stable",
        keywords=("年费", "手续费", "分期"),
        monthly=(60,) * 12, source_weights=(0.10, 0.20, 0.10, 0.35, 0.25), products=("信用卡",),
        subjects=("信用卡", "白金卡", "信用卡账单", "办卡时", "这张联名卡"),
        problems=("说好免年费结果扣了年费", "莫名其妙收了600元年费", "分期手续费比说的高多了", "分期的实际利率太高",
                  "分期手续费没说清楚", "没刷够次数就收年费", "账单分期被收了高额手续费"),
        details=("办卡的时候业务员拍胸脯说终身免年费", "换算下来年化利率快到百分之十五", "账单上的费用写得很隐蔽",
                 "打电话过去说是系统自动收取"),
        consequences=("白白多花了好几百", "还款计划全被打乱", "影响了信用记录"),
        demands=("请退还年费", "分期费用要明明白白告诉客户", "要求减免手续费"),
        agent_replies=("我帮您查询一下年费的收取规则", "您的分期手续费是按每期0.6%收取的",
                       "我这边可以帮您申请减免一次年费"),
        hashtags=("#信用卡年费#",),
    ),
    Theme(
        id="loan_approval", label="贷款审批慢", process_step="loans", course="stable",
        keywords=("审批", "放款"),
        monthly=(50,) * 12, source_weights=(0.05, 0.25, 0.20, 0.30, 0.20), products=("个人住房贷款", "消费贷"),
        subjects=("房贷", "消费贷", "经营贷", "个人住房贷款", "装修贷", "我的贷款"),
        problems=("审批了一个多月还没结果", "放款一拖再拖", "审批进度根本查不到", "材料交齐了就是不放款",
                  "说一周放款，等了三周", "审批卡在总行不动", "审批通过了迟迟不放款"),
        details=("客户经理电话也不接", "每次问都说在走流程", "材料让我补了三次", "中介说别的银行早就批了"),
        consequences=("差点付不上房款要赔违约金", "装修工人都等着开工", "生意的周转资金断了"),
        demands=("请给个明确的时间", "希望加快进度", "能不能有个进度查询"),
        agent_replies=("我帮您查一下贷款审批进度", "目前您的申请在审批中，放款一般需要5到10个工作日",
                       "我会催促客户经理尽快联系您"),
        hashtags=("#房贷放款慢#",),
    ),
    Theme(
        id="account_frozen", label="账户被冻结/非柜面限制", process_step="account_security", course="stable",
        keywords=("冻结", "非柜面", "止付"),
        monthly=(55,) * 12, source_weights=(0.10, 0.10, 0.15, 0.35, 0.30), products=("借记卡",),
        subjects=("我的借记卡", "工资卡", "银行账户", "我的账户", "储蓄卡", "刚开的卡"),
        problems=("突然被冻结了", "被限制了非柜面交易", "被冻结了说是涉嫌电诈", "莫名其妙被止付",
                  "收了一笔货款就被冻结", "申请解除冻结要跑好几趟", "非柜面业务全部用不了"),
        details=("网点让我提供一年的流水说明", "问原因只说是风控系统判定", "工资发不进来也取不出来",
                 "解除要回开户地办理，我人在外地"),
        consequences=("房贷扣不了款要逾期了", "生活费都取不出来", "供应商的钱付不出去"),
        demands=("请尽快解除", "给个明确的说法", "不要一刀切"),
        agent_replies=("账户被冻结一般是触发了风险监控，需要您本人携带身份证到网点核实",
                       "非柜面限制解除后即可恢复正常使用", "我帮您提交解除申请并加急处理"),
        hashtags=("#银行卡被冻结#",),
    ),
)
THEME_BY_ID = {t.id: t for t in THEMES}


def monthly_counts(rng: random.Random, theme: Theme, scale: float) -> list[int]:
    """Scheduled complaint counts for each month: the course times multiplicative noise, rounded fairly."""
    counts = []
    for base in theme.monthly:
        value = base * scale * (1.0 + rng.uniform(-theme.noise, theme.noise)) if base >= 10 else base * scale
        whole = int(value)
        counts.append(whole + (1 if rng.random() < value - whole else 0))
    return counts


def split_sources(rng: random.Random, theme: Theme, n: int) -> list[str]:
    """Which source each of ``n`` complaints arrives through, drawn by the theme's channel mix."""
    return rng.choices(SOURCES, theme.source_weights, k=n)
