"""Every Chinese display name the report, the dashboard and the alerts share: one word for one thing.

A review meeting reads the report and then opens the dashboard; if one says 持续出现 and the other 反复出现, or
二次咨询率 and 重复来电率, people ask whether they are different numbers. Change a name here, never in a page.
"""

from __future__ import annotations

STATUS_NAMES = {"emerging": "新出现", "rising": "显著上升", "recurring": "持续出现", "resolved": "整改见效"}
CHANNEL_NAMES = {"rating": "评分评价", "call": "电话客服", "social": "社交媒体"}
SENTIMENT_NAMES = ("负面", "中性", "正面")
SCALE_NAMES = {"star5": "星级", "nps10": "NPS", "csat5": "满意度"}
SPEAKER_NAMES = {"customer": "客户", "agent": "坐席", "system": "系统"}
DIMENSION_NAMES = {"channel": "渠道", "subtype": "子渠道", "scene": "场景", "process_step": "流程环节",
                   "branch": "网点", "product": "产品", "agent_id": "坐席", "theme_id": "主题"}
REPEAT_RATE = "二次咨询率"  # the same customer back on the same theme within 30 days
